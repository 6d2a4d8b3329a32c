"""Pictures: size, format and EXIF facts from the header (`extract_image`), whether a JPEG or PNG is
complete, and the small previews in the report (`image_thumbnail`)."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from portfolio_check.extract.documents.common import _require_content, quiet
from portfolio_check.extract.documents.exif import _exif_facts, _exif_from_tiff, _read_exif
from portfolio_check.extract.documents.heif import (
    HEIF_HEADER_BYTES,
    HEIF_MAX_EXIF_BYTES,
    _heif_cropped,
    _heif_exif,
    _heif_first_unit_fits,
    _heif_primary_decodable,
    _is_heif,
    _parse_heif,
)
from portfolio_check.extract.model import (
    FILE_DAMAGED,
    FILE_TRUNCATED,
    FILE_UNREADABLE,
    Extraction,
    ExtractionProblem,
    Problem,
)

if TYPE_CHECKING:
    from PIL import Image as PILImage

#: Pictures above this are not decoded for a thumbnail.
THUMBNAIL_MAX_PIXELS = 60_000_000

IMAGE_CUT_OFF_MESSAGE = (
    "The picture is cut off: the file ends before the end of the picture data (it was probably cut "
    "short while copying or uploading), so part of it shows grey or not at all."
)
IMAGE_CUT_OFF_FIX = (
    "Copy it again from "
    "the original and submit it again."
)
PNG_CHECKSUM_MESSAGE = (
    "The picture is slightly damaged: some of its internal checksums are wrong (the program that "
    "last wrote it did not update them). Most viewers still show it, but some refuse it."
)
PNG_CHECKSUM_FIX = (
    "Open it and save it again as PNG or JPEG."
)
IMAGE_DAMAGED_MESSAGE = (
    "The picture cannot be read: it is damaged or incomplete, or is not really a picture."
)
IMAGE_DAMAGED_FIX = (
    "Open it "
    "and save it again as JPEG or PNG, then submit the new file."
)


def extract_image(stream: BinaryIO, size: int) -> Extraction:
    """Dimensions, format, when and with what camera it was taken, whether it holds a location.

    Reads the header, the EXIF and the end of the file only; the pixels are never decoded, so a
    picture claiming huge dimensions costs nothing. A JPEG or PNG that ends before its end marker
    is read and reported cut off (``file-truncated``); a PNG Pillow refuses only for a wrong
    checksum is read from its own header and reported damaged (``file-damaged``), as browsers and
    viewers show it. HEIC/HEIF (which Pillow cannot open) is read by `_read_heif`.
    """
    _require_content(size, "picture")
    head = stream.read(32)
    stream.seek(0)
    if _is_heif(head):
        return _read_heif(stream, size)

    problems: list[Problem] = []
    with quiet("PIL"):
        try:
            image = _open_header(stream)
            width, height = image.size
            metadata: dict[str, Any] = {"width": width, "height": height, "format": image.format}
            exif = _read_exif(image)
            if exif is None and image.format == "PNG":
                exif = _png_trailing_exif(stream, size)
        except (Exception, MemoryError) as error:  # Pillow's plugins raise anything on damage
            fallback = _png_with_bad_checksums(stream, size) if head.startswith(PNG_SIGNATURE) else None
            if fallback is None:
                raise ExtractionProblem(FILE_UNREADABLE, IMAGE_DAMAGED_MESSAGE, fix=IMAGE_DAMAGED_FIX) from error
            width, height, exif = fallback
            metadata = {"width": width, "height": height, "format": "PNG"}
            problems.append(Problem(FILE_DAMAGED, PNG_CHECKSUM_MESSAGE, fix=PNG_CHECKSUM_FIX))
        metadata.update(_exif_facts(exif))
    if width <= 0 or height <= 0:
        raise ExtractionProblem(FILE_UNREADABLE, IMAGE_DAMAGED_MESSAGE, fix=IMAGE_DAMAGED_FIX)
    metadata["megapixels"] = round(width * height / 1_000_000, 2)
    if (metadata["format"] == "JPEG" and _jpeg_cut_off(stream, size)) or (
            metadata["format"] == "PNG" and _png_cut_off(stream, size)):
        problems.append(Problem(FILE_TRUNCATED, IMAGE_CUT_OFF_MESSAGE, fix=IMAGE_CUT_OFF_FIX))
    if any(problem.code == FILE_TRUNCATED for problem in problems):
        metadata["truncated"] = True
    return Extraction(metadata=metadata, problems=problems)


# --- is the picture complete? (constant cost: the header, then a window at the end) ---------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: How much of the end of a file is searched for a picture's end marker.
IMAGE_TAIL_BYTES = 64 * 1024
#: A run of zeros at the end (a pre-allocated file that was never filled) is skipped up to this much.
IMAGE_ZERO_RUN_MAX_BYTES = 4 * 1024 * 1024
JPEG_MAX_HEADER_SEGMENTS = 10_000
PNG_MAX_HEADER_CHUNKS = 10_000
#: After a JPEG marker byte (0xFF) in entropy-coded data: stuffing, restart markers, fill bytes and
#: the segments found between the scans of a progressive JPEG. Anything else means other data.
_SCAN_DATA_FOLLOWERS = frozenset([0x00, *range(0xD0, 0xD8), 0xFF, 0xC4, 0xCC, 0xDA, 0xDB, 0xDD, 0xFE])


def _jpeg_scan_start(stream: BinaryIO, size: int) -> int:
    """Where the first scan's compressed data starts (after SOS); ``size`` when the header never ends."""
    position = 2
    for _ in range(JPEG_MAX_HEADER_SEGMENTS):
        stream.seek(position)
        marker = stream.read(4)
        if len(marker) < 2:
            return size
        if marker[0] != 0xFF:
            # Bytes between segments (a writer's wrong segment length): decoders skip to the next marker.
            position = _next_jpeg_marker(stream, position, size)
            continue
        kind = marker[1]
        if kind == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if kind in (0x01, *range(0xD0, 0xD9)):  # markers without a length
            position += 2
            continue
        if len(marker) < 4:
            return size
        length = struct.unpack(">H", marker[2:4])[0]
        position += 2 + length
        if kind == 0xDA:
            return min(position, size)
    return size


def _next_jpeg_marker(stream: BinaryIO, position: int, size: int) -> int:
    """The position of the next marker (FF followed by neither 00 nor FF) within 64 KB, else ``size``."""
    stream.seek(position)
    window = stream.read(IMAGE_TAIL_BYTES)
    for index in _positions(window[:-1], 0xFF):
        if window[index + 1] not in (0x00, 0xFF):
            return position + index
    return size


def _tail_without_zeros(stream: BinaryIO, size: int, start: int) -> bytes:
    """The last `IMAGE_TAIL_BYTES` before any run of zero bytes that ends the file, from ``start`` on."""
    end = size
    while end > start and size - end < IMAGE_ZERO_RUN_MAX_BYTES:
        window = min(IMAGE_TAIL_BYTES, end - start)
        stream.seek(end - window)
        data = stream.read(window).rstrip(b"\x00")
        if data:
            end = end - window + len(data)
            break
        end -= window
    begin = max(start, end - IMAGE_TAIL_BYTES)
    stream.seek(begin)
    return stream.read(end - begin)


def _jpeg_cut_off(stream: BinaryIO, size: int) -> bool:
    """Whether a JPEG ends inside its picture data, before the end-of-image marker (FF D9).

    Only the header and the end are read. When the end holds no marker, the bytes there are looked
    at: compressed picture data (every FF followed by 00, a restart marker or a scan's segments)
    means the picture was cut off; anything else is data a camera or an app appended after the
    picture (a motion photo's video, a maker's trailer), and is left alone.
    """
    scan = _jpeg_scan_start(stream, size)
    if scan >= size:
        return True
    tail = _tail_without_zeros(stream, size, scan)
    if b"\xff\xd9" in tail:
        return False
    markers = list(_positions(tail[:-1], 0xFF))
    if not markers:
        # Flat pictures compress to data without FF bytes; so does text appended after a picture.
        printable = sum(32 <= byte < 127 or byte in (9, 10, 13) for byte in tail)
        return printable < 0.95 * len(tail)
    return all(tail[index + 1] in _SCAN_DATA_FOLLOWERS for index in markers)


def _positions(data: bytes, value: int) -> Iterator[int]:
    index = data.find(value)
    while index >= 0:
        yield index
        index = data.find(value, index + 1)


def _png_cut_off(stream: BinaryIO, size: int) -> bool:
    """Whether a PNG lacks its closing IEND chunk near its end (it was cut off mid-picture)."""
    tail = _tail_without_zeros(stream, size, 8)
    return b"IEND" not in tail


def _png_chunks(stream: BinaryIO, size: int) -> Iterator[tuple[bytes, int, int, bool]]:
    """(type, data offset, length, checksum right) of a PNG's chunks up to its first IDAT."""
    position = 8
    for _ in range(PNG_MAX_HEADER_CHUNKS):
        stream.seek(position)
        header = stream.read(8)
        if len(header) < 8:
            return
        length, kind = struct.unpack(">I4s", header)
        if position + 12 + length > size or not kind.isalpha():
            return
        checked = True
        if kind != b"IDAT" and length <= HEIF_MAX_EXIF_BYTES:
            data = stream.read(length)
            checked = zlib.crc32(kind + data) == struct.unpack(">I", stream.read(4))[0]
        yield kind, position + 8, length, checked
        if kind in (b"IDAT", b"IEND"):
            return
        position += 12 + length


def _png_with_bad_checksums(stream: BinaryIO, size: int) -> tuple[int, int, Any] | None:
    """(width, height, EXIF) of a PNG Pillow refused, when its only fault is a wrong checksum.

    Pillow refuses a PNG whose chunk checksums are wrong (phones write eXIf chunks so); libpng,
    browsers and Windows Photos show it. The header must still be sane and the picture data present.
    """
    chunks = list(_png_chunks(stream, size))
    if not chunks or chunks[0][0] != b"IHDR" or chunks[0][2] != 13 or chunks[-1][0] != b"IDAT":
        return None
    stream.seek(chunks[0][1])
    width, height, depth, colour = struct.unpack(">IIBB", stream.read(10))
    if not (width and height) or depth not in (1, 2, 4, 8, 16) or colour not in (0, 2, 3, 4, 6):
        return None
    if all(checked for _, _, _, checked in chunks):
        return None  # nothing wrong with the checksums: Pillow refused it for another reason
    _, offset, length, _ = chunks[-1]
    stream.seek(offset)
    try:  # the picture data must at least start as a zlib stream, or nothing can draw it
        zlib.decompressobj().decompress(stream.read(min(length, IMAGE_TAIL_BYTES)), 1024)
    except zlib.error:
        return None
    exif = None
    for kind, offset, length, _ in chunks:
        if kind == b"eXIf":
            stream.seek(offset)
            exif = _exif_from_tiff(stream.read(length))
    return width, height, exif


def _png_trailing_exif(stream: BinaryIO, size: int) -> Any:
    """EXIF from an eXIf chunk written after the picture data (Pillow finds it only by decoding)."""
    start = max(8, size - IMAGE_TAIL_BYTES)
    stream.seek(start)
    tail = stream.read(size - start)
    position = tail.rfind(b"eXIf")
    if position < 4:
        return None
    length = struct.unpack(">I", tail[position - 4:position])[0]
    payload = tail[position + 4:position + 4 + length]
    return _exif_from_tiff(payload) if len(payload) == length else None


def _open_header(stream: BinaryIO) -> PILImage.Image:
    """Open a picture by its header as ``Image.open`` does, minus the decompression-bomb check.

    That check refuses to even report the size of a picture claiming 100,000 x 100,000 pixels;
    nothing here decodes pixels, and `image_thumbnail` applies its own limit.
    """
    from PIL import Image, UnidentifiedImageError

    stream.seek(0)
    prefix = stream.read(16)
    Image.preinit()
    tried: set[str] = set()
    for load_all_plugins in (False, True):
        if load_all_plugins and not Image.init():
            break  # already loaded: every format was tried in the first pass
        for format_id in [name for name in Image.ID if name not in tried]:
            tried.add(format_id)
            factory, accept = Image.OPEN[format_id]
            verdict = accept(prefix) if accept else True
            if not verdict or isinstance(verdict, str):
                continue
            stream.seek(0)
            try:
                return factory(stream, "")
            except (SyntaxError, IndexError, TypeError, struct.error):
                continue  # not this format after all
    raise UnidentifiedImageError("cannot identify image file")


def _read_heif(stream: BinaryIO, size: int) -> Extraction:
    """Width, height and EXIF of a HEIF/HEIC picture, from its ISO-BMFF boxes.

    The primary item's ``ispe`` property (image spatial extents) gives the size; the ``Exif``
    item, located through ``iinf`` and ``iloc``, gives the EXIF, read with Pillow.
    """
    head = stream.read(HEIF_HEADER_BYTES)
    try:
        found = _parse_heif(head)
    except (ValueError, IndexError, struct.error) as error:  # boxes cut short or inconsistent
        raise ExtractionProblem(FILE_UNREADABLE, IMAGE_DAMAGED_MESSAGE, fix=IMAGE_DAMAGED_FIX) from error
    # No size, parts of the picture placed beyond the end of the file (cut short), or a primary
    # picture a decoder cannot start on.
    if found.extents is None or any(
        method == 0 and offset + length > size for method, offset, length in found.locations.values()
    ) or any(end > size for end in found.ends.values()) or not _heif_primary_decodable(found) \
            or not _heif_first_unit_fits(stream, found):
        raise ExtractionProblem(FILE_UNREADABLE, IMAGE_DAMAGED_MESSAGE, fix=IMAGE_DAMAGED_FIX)
    width, height = _heif_cropped(found) or found.extents
    brand = head[8:12]
    metadata: dict[str, Any] = {
        "width": width,
        "height": height,
        "format": "AVIF" if brand in (b"avif", b"avis") else "HEIF",
    }
    try:
        exif = _heif_exif(stream, size, head, found)
    except (Exception, MemoryError):  # noqa: BLE001 - EXIF is a bonus: a broken one does not spoil the size
        exif = None
    metadata.update(_exif_facts(exif))
    metadata["megapixels"] = round(width * height / 1_000_000, 2)
    return Extraction(metadata=metadata)


def image_thumbnail(stream: BinaryIO, size: int, max_side: int = 160) -> tuple[str, bytes] | None:
    """A small JPEG (or PNG, when the picture is transparent) of the picture, for the report.

    Returns ``(mime type, bytes)``, or None when the picture cannot be decoded (damaged, cut
    short, HEIC) or is over `THUMBNAIL_MAX_PIXELS`. JPEGs are decoded at reduced scale.
    """
    if size <= 0:
        return None
    from PIL import ImageOps

    try:
        with quiet("PIL"):
            image = _open_header(stream)
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > THUMBNAIL_MAX_PIXELS:
                return None
            image.thumbnail((max_side, max_side))  # uses draft() for JPEG and reduce() otherwise
            image = ImageOps.exif_transpose(image)
            transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            output = io.BytesIO()
            if transparent:
                image.convert("RGBA").save(output, "PNG", optimize=True)
                return "image/png", output.getvalue()
            image.convert("RGB").save(output, "JPEG", quality=80)
            return "image/jpeg", output.getvalue()
    except (Exception, MemoryError):  # noqa: BLE001 - a thumbnail is a nicety: any failure means none
        return None
