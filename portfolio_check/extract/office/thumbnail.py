"""The preview picture Office saves in some packages (`office_thumbnail`), which the runner shows as the file's preview."""

from __future__ import annotations

import zipfile
import zlib
from typing import BinaryIO

from portfolio_check.extract.office.package import (
    MAX_MEMBERS,
    MAX_PACKAGE_BYTES,
    OLE_SIGNATURE,
    _parse_xml,
    _read_relationships,
    _xml_errors,
)

THUMBNAIL_LIMIT = 1024**2


def office_thumbnail(stream: BinaryIO, size: int) -> tuple[str, bytes] | None:
    """The preview picture Office saves in some packages (``docProps/thumbnail.jpeg``), as (MIME type, bytes).

    None when there is none, it is over 1 MB or in an unknown format, or the file is not a readable
    package: a thumbnail is a nicety, and the extractors report what is wrong with the file.
    """
    if size <= 0 or size > MAX_PACKAGE_BYTES:
        return None
    try:
        stream.seek(0)
        if stream.read(len(OLE_SIGNATURE)) == OLE_SIGNATURE:
            return None
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            return _thumbnail(archive)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError, KeyError, zlib.error):
        return None


def _thumbnail(archive: zipfile.ZipFile) -> tuple[str, bytes] | None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        return None
    members = {info.filename: info for info in infos}
    name = None
    package_rels = members.get("_rels/.rels")
    if package_rels is not None and package_rels.file_size <= THUMBNAIL_LIMIT:
        try:
            relationships = _read_relationships(_parse_xml(archive.read(package_rels)), "")
        except _xml_errors():
            relationships = []
        name = next((r.target for r in relationships if r.type == "thumbnail" and not r.external), None)
    if name not in members:
        name = next((n for n in sorted(members) if n.lower().startswith("docprops/thumbnail.")), None)
    if name is None or members[name].file_size > THUMBNAIL_LIMIT:
        return None
    with archive.open(members[name]) as member:
        data = member.read(THUMBNAIL_LIMIT + 1)
    mime = _image_type(data)
    return (mime, data) if mime and len(data) <= THUMBNAIL_LIMIT else None


def _image_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data.startswith(b"\x01\x00\x00\x00") and data[40:44] == b" EMF":
        return "image/x-emf"
    if data.startswith((b"\xd7\xcd\xc6\x9a", b"\x01\x00\x09\x00", b"\x02\x00\x09\x00")):
        return "image/x-wmf"
    return None
