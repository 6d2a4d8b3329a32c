"""HEIF pictures (HEIC from phones, AVIF), which Pillow cannot open: their ISO-BMFF boxes read by hand
for the size, the EXIF, and whether the primary picture has what a decoder needs."""

from __future__ import annotations

import struct
from typing import Any, BinaryIO

from portfolio_check.extract.documents.common import quiet
from portfolio_check.extract.documents.pdf import PDF_TREE_MAX_NODES
from portfolio_check.extract.integrity import iso_boxes

#: Bytes at the start of a HEIF/HEIC file searched for its image properties.
HEIF_HEADER_BYTES = 256 * 1024
HEIF_MAX_EXIF_BYTES = 1024**2

#: ``ftyp`` brands of HEIF pictures (HEIC from phones, AVIF).
HEIF_BRANDS = frozenset({
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1", b"avif", b"avis",
})


def _is_heif(head: bytes) -> bool:
    if len(head) < 12 or head[4:8] != b"ftyp":
        return False
    box_size = min(struct.unpack(">I", head[:4])[0], len(head))
    brands = [head[8:12]] + [head[i : i + 4] for i in range(16, box_size - 3, 4)]
    return any(brand in HEIF_BRANDS for brand in brands)


class _HeifFacts:
    def __init__(self) -> None:
        self.primary: int | None = None
        self.properties: list[tuple[bytes, bytes]] = []  # (type, payload), 1-based in ipma
        self.associations: dict[int, list[int]] = {}
        self.exif_items: list[int] = []
        self.locations: dict[int, tuple[int, int, int]] = {}  # item -> (method, offset, length)
        self.idat: tuple[int, int] | None = None  # (offset in file, length)
        self.extents: tuple[int, int] | None = None
        self.item_types: dict[int, bytes] = {}
        self.ends: dict[int, int] = {}  # item -> end of its last extent in the file (construction method 0)
        self.lengths: dict[int, int] = {}  # item -> bytes over all its extents
        self.references: dict[bytes, dict[int, list[int]]] = {}  # iref type -> from item -> to items


def _parse_heif(data: bytes) -> _HeifFacts:
    facts = _HeifFacts()
    for box_type, start, end in iso_boxes(data, 0, len(data)):
        if box_type == b"meta":
            _parse_heif_meta(data, start + 4, end, facts)  # meta is a full box: skip version/flags
            break
    extents = [payload for kind, payload in facts.properties if kind == b"ispe" and len(payload) >= 12]
    chosen = None
    if facts.primary is not None:
        for index in facts.associations.get(facts.primary, []):
            if 0 < index <= len(facts.properties):
                kind, payload = facts.properties[index - 1]
                if kind == b"ispe" and len(payload) >= 12:
                    chosen = payload
                    break
    if chosen is None and extents:
        chosen = max(extents, key=lambda payload: struct.unpack_from(">II", payload, 4))
    if chosen is not None:
        width, height = struct.unpack_from(">II", chosen, 4)
        if width > 0 and height > 0:
            facts.extents = (width, height)
    return facts


def _parse_heif_meta(data: bytes, start: int, end: int, facts: _HeifFacts) -> None:
    for box_type, box_start, box_end in iso_boxes(data, start, end):
        payload = data[box_start:box_end]
        if box_type == b"pitm" and len(payload) >= 6:
            facts.primary = struct.unpack_from(">H" if payload[0] == 0 else ">I", payload, 4)[0]
        elif box_type == b"iprp":
            for inner_type, inner_start, inner_end in iso_boxes(data, box_start, box_end):
                if inner_type == b"ipco":
                    facts.properties = [(kind, data[s:e]) for kind, s, e in iso_boxes(data, inner_start, inner_end)]
                elif inner_type == b"ipma":
                    _parse_ipma(data[inner_start:inner_end], facts)
        elif box_type == b"iinf":
            _parse_iinf(data, box_start, box_end, facts)
        elif box_type == b"iloc":
            _parse_iloc(payload, facts)
        elif box_type == b"idat":
            facts.idat = (box_start, box_end - box_start)
        elif box_type == b"iref":
            _parse_iref(data, box_start, box_end, facts)


def _parse_iref(data: bytes, start: int, end: int, facts: _HeifFacts) -> None:
    wide = data[start] != 0  # version 1: 32-bit item ids
    width = 4 if wide else 2
    for kind, box_start, box_end in iso_boxes(data, start + 4, end):
        position = box_start
        if position + 2 * width > box_end:
            continue
        source = int.from_bytes(data[position:position + width], "big")
        count = int.from_bytes(data[position + width:position + width + 2], "big")
        position += width + 2
        targets = [int.from_bytes(data[position + width * i:position + width * (i + 1)], "big")
                   for i in range(min(count, (box_end - position) // width))]
        facts.references.setdefault(kind, {})[source] = targets


#: Coded picture items and the decoder configuration property each needs; derived items made of tiles.
_HEIF_CODED = {b"hvc1": b"hvcC", b"av01": b"av1C", b"jpeg": None, b"unci": None, b"j2k1": b"j2kH"}
_HEIF_DERIVED = {b"grid", b"iovl", b"iden"}


def _heif_primary_decodable(facts: _HeifFacts) -> bool:
    """Whether the primary picture exists and each coded item it is made of has its data and decoder
    configuration: what libheif checks before it decodes (a missing one is "no such item" or "no
    hvcC"). The compressed data itself is not decoded."""
    if facts.primary is None or facts.primary not in facts.item_types:
        return False  # libheif refuses a file without a primary item ("No pitm box"); exiftool cannot size it
    items = [facts.primary]
    if facts.item_types[facts.primary] in _HEIF_DERIVED:
        items = facts.references.get(b"dimg", {}).get(facts.primary, [])
        if not items:
            return False
    for item in items[:PDF_TREE_MAX_NODES]:
        kind = facts.item_types.get(item)
        if kind not in _HEIF_CODED or item not in facts.locations:
            return False
        config = _HEIF_CODED[kind]
        if config is not None and not any(facts.properties[index - 1][0] == config
                                           for index in facts.associations.get(item, [])
                                           if 0 < index <= len(facts.properties)):
            return False
    return True


def _heif_first_unit_fits(stream: BinaryIO, facts: _HeifFacts) -> bool:
    """Whether the primary picture's (or first tile's) HEVC data starts with a NAL unit that fits in it.

    The data is a series of length-prefixed NAL units; a first length running past the item, or a
    header with its forbidden bit set, is a picture no decoder starts on. Other codecs are not checked.
    """
    item = facts.primary
    if item is not None and facts.item_types.get(item) in _HEIF_DERIVED:
        item = next(iter(facts.references.get(b"dimg", {}).get(item, [])), None)
    if item is None or facts.item_types.get(item) != b"hvc1" or item not in facts.locations:
        return True
    config = next((facts.properties[index - 1][1] for index in facts.associations.get(item, [])
                   if 0 < index <= len(facts.properties) and facts.properties[index - 1][0] == b"hvcC"), b"")
    method, offset, first_length = facts.locations[item]
    if len(config) < 22 or method != 0:
        return True
    prefix = (config[21] & 3) + 1
    stream.seek(offset)
    start = stream.read(prefix + 2)
    if len(start) < prefix + 2:
        return False
    unit = int.from_bytes(start[:prefix], "big")
    total = facts.lengths.get(item, first_length)
    return 0 < unit <= total - prefix and not start[prefix] & 0x80


def _heif_cropped(facts: _HeifFacts) -> tuple[int, int] | None:
    """The primary picture's size after its clean-aperture crop (``clap``), as viewers show it."""
    for index in facts.associations.get(facts.primary or -1, []):
        if not 0 < index <= len(facts.properties):
            continue
        kind, payload = facts.properties[index - 1]
        if kind == b"clap" and len(payload) >= 16:
            width_n, width_d, height_n, height_d = struct.unpack_from(">IIII", payload)
            if width_d and height_d and width_n and height_n:
                return max(1, round(width_n / width_d)), max(1, round(height_n / height_d))
    return None


def _parse_ipma(payload: bytes, facts: _HeifFacts) -> None:
    version, flags = payload[0], int.from_bytes(payload[1:4], "big")
    (count,) = struct.unpack_from(">I", payload, 4)
    position = 8
    for _ in range(min(count, PDF_TREE_MAX_NODES)):
        if version < 1:
            (item,) = struct.unpack_from(">H", payload, position)
            position += 2
        else:
            (item,) = struct.unpack_from(">I", payload, position)
            position += 4
        associations = payload[position]
        position += 1
        indices = []
        for _ in range(associations):
            if flags & 1:
                indices.append(struct.unpack_from(">H", payload, position)[0] & 0x7FFF)
                position += 2
            else:
                indices.append(payload[position] & 0x7F)
                position += 1
        facts.associations[item] = indices


def _parse_iinf(data: bytes, start: int, end: int, facts: _HeifFacts) -> None:
    version = data[start]
    entries_start = start + (6 if version == 0 else 8)
    for box_type, box_start, box_end in iso_boxes(data, entries_start, end):
        if box_type != b"infe" or box_end - box_start < 12:
            continue
        infe_version = data[box_start]
        if infe_version == 2:
            item, item_type = struct.unpack_from(">H2x4s", data, box_start + 4)
        elif infe_version == 3:
            item, item_type = struct.unpack_from(">I2x4s", data, box_start + 4)
        else:
            continue
        facts.item_types[item] = item_type
        if item_type == b"Exif":
            facts.exif_items.append(item)


def _parse_iloc(payload: bytes, facts: _HeifFacts) -> None:
    version = payload[0]
    offset_size, length_size = payload[4] >> 4, payload[4] & 0x0F
    base_offset_size, index_size = payload[5] >> 4, payload[5] & 0x0F
    position = 6
    if version < 2:
        (count,) = struct.unpack_from(">H", payload, position)
        position += 2
    else:
        (count,) = struct.unpack_from(">I", payload, position)
        position += 4

    def number(width: int) -> int:
        nonlocal position
        if position + width > len(payload):
            raise ValueError("iloc box cut short")
        value = int.from_bytes(payload[position : position + width], "big")
        position += width
        return value

    for _ in range(min(count, PDF_TREE_MAX_NODES)):
        item = number(2 if version < 2 else 4)
        method = number(2) & 0x0F if version in (1, 2) else 0
        number(2)  # data reference index
        base = number(base_offset_size)
        extents = number(2)
        first: tuple[int, int] | None = None
        for _ in range(extents):
            if version in (1, 2) and index_size:
                number(index_size)
            offset, length = number(offset_size), number(length_size)
            if first is None:
                first = (offset, length)
            if method == 0:
                facts.ends[item] = max(facts.ends.get(item, 0), base + offset + length)
            facts.lengths[item] = facts.lengths.get(item, 0) + length
        if first is not None:
            facts.locations[item] = (method, base + first[0], first[1])


def _heif_exif(stream: BinaryIO, size: int, head: bytes, facts: _HeifFacts) -> Any:
    """The EXIF of a HEIF file as a Pillow ``Exif``, or None (its absence is not a fault)."""
    from PIL import Image

    for item in facts.exif_items:
        method, offset, length = facts.locations.get(item, (None, 0, 0))
        if not 8 <= length <= HEIF_MAX_EXIF_BYTES:
            continue
        if method == 1 and facts.idat is not None:
            offset += facts.idat[0]
        elif method != 0:
            continue
        if offset + length > size:
            continue
        if offset + length <= len(head):
            payload = head[offset : offset + length]
        else:
            stream.seek(offset)
            payload = stream.read(length)
        # The item starts with the offset of the TIFF header from the end of that field.
        tiff_start = 4 + struct.unpack_from(">I", payload)[0]
        if tiff_start >= len(payload):
            continue
        exif = Image.Exif()
        try:
            with quiet("PIL"):
                exif.load(payload[tiff_start:])
        except Exception:  # noqa: BLE001 - Pillow raises anything on a malformed EXIF block; try the next item
            continue
        return exif
    return None
