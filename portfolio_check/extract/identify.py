"""Says what a file really is from its bytes, not its name: the kind decides which extractor reads it.

Apprentices rename files ("witness.pdf" that is really a Word document) and save them in formats an
assessor cannot open, so the name is only a hint. `identify` looks at the first few KB against a table
of signatures, and for containers it looks one level in: the central directory of a ZIP (Word,
PowerPoint, Excel, OpenDocument, EPUB or a plain archive), the directory of an OLE compound file
(old .doc/.ppt/.xls, or a password-protected .docx/.pptx/.xlsx), the ``ftyp`` brands of an ISO media
file (MP4, QuickTime, 3GP, M4A, HEIC), the DocType of a Matroska file, the codec of an Ogg stream and
the stream types of an ASF header. It never decompresses a large member and never raises.

Design decisions:

- A hand-written signature table, not ``puremagic``: tried on the shared corpus, puremagic 1.30
  returned nothing for HEIF, MPEG-2.5 MP3 and an audio-only 3G2, called Ogg Theora "Vorbis", called
  an M4A "MPEG-4 video" and answers with ranked guesses; the container checks are needed anyway, and
  the table below is short, fast and says exactly what decides each format.
- A small hand-written compound-file (CFB) directory reader, not ``olefile`` (0.47, a good library):
  olefile seeks to the end of the stream and loads the whole FAT before listing anything, which on a
  member of an uploaded ZIP means decompressing all of it; here only the names of the root storage's
  entries are needed, i.e. the header, the directory sectors and the few FAT sectors that chain them.
- ISO media: the kind comes from the brand (``M4A `` is audio, ``qt  `` QuickTime video, ``heic`` an
  image). A generic brand (``isom``, ``mp42``, ``3gp4``) says nothing about the tracks: when the
  ``moov`` box starts within the head (a "fast start" file) its track handlers decide; otherwise an
  ``.m4a``/``.m4b`` name makes it audio, and anything else stays video for the media probe to decide.
- EPUB is kind "other" (format "epub"): it is a ZIP of web pages that the text extractor cannot read.
- Text: UTF-8, UTF-16 (with BOM or plainly interleaved) or Windows-1252 with almost no control
  characters. Then RTF, internet shortcuts, HTML, XML, JSON, YAML (only where obvious: ``%YAML``, a
  leading ``---``, a ``.yaml``/``.yml`` name, or every line shaped like ``key: value``/``- item``), CSV (a
  ``.csv``/``.tsv`` name, or lines with the same number of commas, semicolons, tabs or pipes), else txt.

- Protection: an OLE file holding an encrypted package is "encrypted", and "rights managed" too when
  its data spaces name the DRM transform (IRM, which no password opens); an old .doc says so in its
  FIB, an .xls with a FILEPASS record (XOR obfuscation included), a .ppt in its "Current User" atom
  (RC4 CryptoAPI leaves no EncryptedSummary stream); an OpenDocument file in its manifest's
  ``encryption-data``.
- Files from before or beside the usual formats: Word for Windows 1 and 2 (no compound file),
  PowerPoint 4.0 (a ``PP40`` stream), MP3 frames after junk or padding (up to 1 MB of it for a file
  named .mp3, as players skip it), a file of zero bytes only (``zero-filled``: a placeholder an
  interrupted sync leaves).

Format ids beyond the brief: ``xlsb``; ``heif``/``avif`` images; ``bzip2``/``xz`` archives; ``ooxml``
(another Office Open XML package, e.g. Visio), ``odf`` (another OpenDocument), ``msg`` (Outlook message)
and ``ole`` (another compound file), all of kind "other".
"""

from __future__ import annotations

import codecs
import contextlib
import json
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

from portfolio_check.extract import integrity

#: Bytes read from the start of every file; enough for every signature below and to judge text.
HEAD_BYTES = 8192
#: Caps on what a container check may read beyond the head.
CONTENT_TYPES_MAX_BYTES = 256 * 1024
MOOV_MAX_BYTES = 2 * 1024 * 1024
ASF_HEADER_MAX_BYTES = 256 * 1024
ID3_MAX_SKIP_BYTES = 32 * 1024 * 1024
OLE_MAX_DIRECTORY_SECTORS = 256
ZIP_MAX_NAMES = 100_000


@dataclass(frozen=True)
class Identity:
    """What a file is: ``kind`` picks the extractor, ``format`` is a short id, ``description`` is for people."""

    kind: str
    format: str
    description: str
    #: Password-protected: an OLE container holding an encrypted Office Open XML package, or an old
    #: .doc/.xls/.ppt whose own header says it is encrypted. Encrypted PDFs are left to the PDF reader.
    encrypted: bool = False
    #: Macro-capable Office document (macro-enabled content type, or a ``vbaProject.bin`` part).
    macro_enabled: bool = False
    #: Old binary Office format (.doc, .ppt, .xls).
    legacy: bool = False
    #: Locked by rights management (IRM): only the publisher's licence server opens it, no password does.
    rights_managed: bool = False


#: format id -> (kind, description). Descriptions are noun phrases without an article.
FORMATS: dict[str, tuple[str, str]] = {
    "docx": ("word", "Word document (.docx)"),
    "docm": ("word", "macro-enabled Word document (.docm)"),
    "doc": ("word", "old-format Word document (.doc)"),
    "odt": ("word", "OpenDocument text document (.odt)"),
    "pptx": ("powerpoint", "PowerPoint presentation (.pptx)"),
    "pptm": ("powerpoint", "macro-enabled PowerPoint presentation (.pptm)"),
    "ppt": ("powerpoint", "old-format PowerPoint presentation (.ppt)"),
    "odp": ("powerpoint", "OpenDocument presentation (.odp)"),
    "xlsx": ("spreadsheet", "Excel workbook (.xlsx)"),
    "xlsm": ("spreadsheet", "macro-enabled Excel workbook (.xlsm)"),
    "xlsb": ("spreadsheet", "binary Excel workbook (.xlsb)"),
    "xls": ("spreadsheet", "old-format Excel workbook (.xls)"),
    "ods": ("spreadsheet", "OpenDocument spreadsheet (.ods)"),
    "office-encrypted": ("other", "password-protected Office document"),
    "pdf": ("pdf", "PDF"),
    "mp4": ("video", "MP4 video"),
    "mov": ("video", "QuickTime video (.mov)"),
    "m4v": ("video", "MP4 video (.m4v)"),
    "3gp": ("video", "3GP mobile video"),
    "m4a": ("audio", "MPEG-4 audio (.m4a)"),
    "webm": ("video", "WebM video"),
    "mkv": ("video", "Matroska video (.mkv)"),
    "avi": ("video", "AVI video"),
    "wmv": ("video", "Windows Media video (.wmv)"),
    "asf": ("video", "Windows Media file (.asf)"),
    "flv": ("video", "Flash video (.flv)"),
    "mpeg": ("video", "MPEG video"),
    "ogv": ("video", "Ogg video (.ogv)"),
    "wav": ("audio", "WAV audio"),
    "wma": ("audio", "Windows Media audio (.wma)"),
    "mp3": ("audio", "MP3 audio"),
    "aac": ("audio", "AAC audio"),
    "ogg": ("audio", "Ogg audio"),
    "opus": ("audio", "Opus audio"),
    "flac": ("audio", "FLAC audio"),
    "aiff": ("audio", "AIFF audio"),
    "amr": ("audio", "AMR audio"),
    "jpeg": ("image", "JPEG image"),
    "png": ("image", "PNG image"),
    "gif": ("image", "GIF image"),
    "heic": ("image", "HEIC image"),
    "heif": ("image", "HEIF image"),
    "avif": ("image", "AVIF image"),
    "webp": ("image", "WebP image"),
    "tiff": ("image", "TIFF image"),
    "bmp": ("image", "BMP image"),
    "zip": ("archive", "ZIP archive"),
    "7z": ("archive", "7-Zip archive"),
    "rar": ("archive", "RAR archive"),
    "gzip": ("archive", "gzip archive"),
    "bzip2": ("archive", "bzip2 archive"),
    "xz": ("archive", "xz archive"),
    "tar": ("archive", "tar archive"),
    "epub": ("other", "EPUB e-book"),
    "ooxml": ("other", "Office Open XML package that is not Word, PowerPoint or Excel"),
    "odf": ("other", "OpenDocument file that is not text, a presentation or a spreadsheet"),
    "msg": ("other", "Outlook email message (.msg)"),
    "ole": ("other", "Microsoft compound file (OLE)"),
    "rtf": ("text", "RTF document"),
    "html": ("text", "web page (HTML)"),
    "xml": ("text", "XML file"),
    "json": ("text", "JSON file"),
    "yaml": ("text", "YAML file"),
    "csv": ("text", "CSV file"),
    "txt": ("text", "plain text file"),
    "url": ("link", "Windows internet shortcut (.url)"),
    "webloc": ("link", "Mac internet shortcut (.webloc)"),
    "empty": ("other", "empty file"),
    "zero-filled": ("other", "file of zero bytes only"),
    "unknown": ("other", "unrecognised file"),
}


def _identity(fmt: str, **flags: bool) -> Identity:
    kind, description = FORMATS[fmt]
    return Identity(kind, fmt, description, **flags)


# --- expected formats per extension ---------------------------------------------------------------

_ENCRYPTED = "office-encrypted"
#: ISO base media files (MP4, QuickTime, 3GP, M4A) are one family: players open each under any of these names.
_ISO_MEDIA = ("mp4", "mov", "m4v", "m4a", "3gp")
_OGG = ("ogg", "opus", "ogv")
_MATROSKA = ("webm", "mkv")
_ASF = ("wmv", "wma", "asf")
_PLAIN_TEXT = ("txt", "csv", "json", "yaml", "xml", "html")

#: extension -> formats it may legitimately hold; the first says what the name promises.
_EXTENSIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys((".docx", ".dotx"), ("docx", _ENCRYPTED)),
    **dict.fromkeys((".docm", ".dotm"), ("docm", _ENCRYPTED)),
    **dict.fromkeys((".doc", ".dot"), ("doc", "rtf")),  # Word saves and opens RTF under .doc without a word
    **dict.fromkeys((".odt", ".ott"), ("odt",)),
    **dict.fromkeys((".pptx", ".ppsx", ".potx"), ("pptx", _ENCRYPTED)),
    **dict.fromkeys((".pptm", ".ppsm", ".potm"), ("pptm", _ENCRYPTED)),
    **dict.fromkeys((".ppt", ".pps", ".pot"), ("ppt",)),
    **dict.fromkeys((".odp", ".otp"), ("odp",)),
    **dict.fromkeys((".xlsx", ".xltx"), ("xlsx", _ENCRYPTED)),
    **dict.fromkeys((".xlsm", ".xltm"), ("xlsm", _ENCRYPTED)),
    ".xlsb": ("xlsb", _ENCRYPTED),
    **dict.fromkeys((".xls", ".xlt"), ("xls",)),
    **dict.fromkeys((".ods", ".ots"), ("ods",)),
    ".pdf": ("pdf",),
    ".mp4": ("mp4", *_ISO_MEDIA),
    **dict.fromkeys((".mov", ".qt"), ("mov", *_ISO_MEDIA)),
    ".m4v": ("m4v", *_ISO_MEDIA),
    **dict.fromkeys((".m4a", ".m4b", ".m4p", ".m4r"), ("m4a", *_ISO_MEDIA)),
    **dict.fromkeys((".3gp", ".3g2", ".3gpp", ".3gpp2"), ("3gp", *_ISO_MEDIA)),
    ".webm": ("webm", *_MATROSKA),
    **dict.fromkeys((".mkv", ".mka", ".mk3d"), ("mkv", *_MATROSKA)),
    ".avi": ("avi",),
    ".wmv": ("wmv", *_ASF),
    ".wma": ("wma", *_ASF),
    ".asf": ("asf", *_ASF),
    ".flv": ("flv",),
    **dict.fromkeys((".mpg", ".mpeg", ".mpe", ".m1v", ".m2v", ".vob", ".ts", ".mts", ".m2ts"), ("mpeg",)),
    ".ogv": ("ogv", *_OGG),
    **dict.fromkeys((".ogg", ".oga", ".spx"), ("ogg", *_OGG)),
    ".opus": ("opus", *_OGG),
    **dict.fromkeys((".wav", ".wave"), ("wav",)),
    ".mp3": ("mp3",),
    ".aac": ("aac",),
    ".flac": ("flac",),
    **dict.fromkeys((".aif", ".aiff", ".aifc"), ("aiff",)),
    ".amr": ("amr",),
    **dict.fromkeys((".jpg", ".jpeg", ".jpe", ".jfif"), ("jpeg",)),
    ".png": ("png",),
    ".gif": ("gif",),
    **dict.fromkeys((".heic", ".heif", ".hif"), ("heic", "heif", "avif")),
    ".avif": ("avif", "heif"),
    ".webp": ("webp",),
    **dict.fromkeys((".tif", ".tiff"), ("tiff",)),
    **dict.fromkeys((".bmp", ".dib"), ("bmp",)),
    ".zip": ("zip",),
    ".7z": ("7z",),
    ".rar": ("rar",),
    **dict.fromkeys((".gz", ".tgz"), ("gzip",)),
    **dict.fromkeys((".bz2", ".tbz2"), ("bzip2",)),
    **dict.fromkeys((".xz", ".txz"), ("xz",)),
    ".tar": ("tar",),
    ".epub": ("epub",),
    ".msg": ("msg",),
    ".rtf": ("rtf",),
    **dict.fromkeys((".html", ".htm", ".xhtml"), ("html", "xml")),
    ".xml": ("xml", "html"),
    ".json": ("json",),
    **dict.fromkeys((".yaml", ".yml"), ("yaml", "json")),
    **dict.fromkeys((".csv", ".tsv"), ("csv", "txt")),
    **dict.fromkeys((".txt", ".text", ".md", ".log"), _PLAIN_TEXT),
    ".url": ("url",),
    ".webloc": ("webloc",),
}


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def as_audio(identity: Identity) -> Identity:
    """The identity of a file found to hold sound only (cover art aside) in a container that may carry
    video: an MP4 is then an M4A, a WebM "WebM audio". Other identities come back unchanged."""
    if identity.kind != "video":
        return identity
    fmt = {"mp4": "m4a", "m4v": "m4a", "ogv": "ogg", "wmv": "wma", "asf": "wma"}.get(identity.format, identity.format)
    description = FORMATS[fmt][1]
    if FORMATS[fmt][0] != "audio":
        description = {"mkv": "Matroska audio (.mka)"}.get(fmt, description.replace("video", "audio"))
        if "audio" not in description:
            description = f"{description} holding sound only"
    return replace(identity, kind="audio", format=fmt, description=description)


def promised_kind(name: str) -> str | None:
    """The kind of file its extension promises (``"pdf"``, ``"video"``...), None when unknown."""
    expected = _EXTENSIONS.get(_extension(name))
    return FORMATS[expected[0]][0] if expected else None


def extension_mismatch(name: str, identity: Identity) -> str | None:
    """A message for people when the name's extension disagrees with the content, else None.

    Unknown extensions, empty files and unrecognised content are not reported here: other checks say
    more useful things about those.
    """
    found = mismatch_problem(name, identity)
    return None if found is None else " ".join(found)


def mismatch_problem(name: str, identity: Identity) -> tuple[str, str] | None:
    """What is wrong and how to fix it, kept apart, when the name's extension disagrees with the content."""
    expected = _EXTENSIONS.get(_extension(name))
    if not expected or identity.format in ("unknown", "empty") or identity.format in expected:
        return None
    promised = with_article(FORMATS[expected[0]][1])
    return (f"{name} is really {with_article(identity.description)}, not {promised}.",
            f"Rename it with the right extension or save it again as {promised}.")


def with_article(description: str) -> str:
    """``"a Word document"``, ``"an MP4 video"``, ``"an old-format ..."``: the article for a description."""
    first = description.split(" ", 1)[0]
    letters = [c for c in first if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        vowel_sound = first[0] in "AEFHILMNORSX"  # acronyms are spelt out: "an MP4", "a PDF"
    else:
        vowel_sound = first[:1].lower() in ("a", "e", "i", "o", "u")
    return f"{'an' if vowel_sound else 'a'} {description}"


# --- entry point ----------------------------------------------------------------------------------


def identify(stream: BinaryIO, size: int, name: str = "") -> Identity:
    """What the file in ``stream`` is, judged from its content; ``name`` only breaks ties.

    Reads the first `HEAD_BYTES` and, for containers, their directory; never raises (anything it
    cannot make sense of is "unknown"). Leaves the stream at position 0.
    """
    try:
        stream.seek(0)
        head = _read(stream, min(HEAD_BYTES, size)) if size > 0 else b""
        if not head:
            return _identity("empty")
        return _by_content(stream, size, head, _extension(name))
    except Exception:  # noqa: BLE001 - identification must never stop a run; the extractor reports damage
        return _identity("unknown")
    finally:
        with contextlib.suppress(Exception):  # a stream that cannot seek back is the reader's problem
            stream.seek(0)


def _read(stream: BinaryIO, count: int) -> bytes:
    """Up to ``count`` bytes: file-like objects may return short reads before the end."""
    chunks, wanted = [], count
    while wanted > 0:
        chunk = stream.read(wanted)
        if not chunk:
            break
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def _read_at(stream: BinaryIO, offset: int, count: int) -> bytes:
    stream.seek(offset)
    return _read(stream, count)


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ASF_SIGNATURE = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")

#: Fixed signatures at offset 0, checked in order: (prefix, format).
_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),  # BigTIFF
    (b"MM\x00+", "tiff"),
    (b"fLaC", "flac"),
    (b"#!AMR", "amr"),
    (b"ADIF", "aac"),
    (b"FLV\x01", "flv"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"\x1f\x8b\x08", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x00\x00\x01\xba", "mpeg"),  # program stream pack header
    (b"\x00\x00\x01\xb3", "mpeg"),  # elementary video stream sequence header
)


def _by_content(stream: BinaryIO, size: int, head: bytes, ext: str) -> Identity:
    if not head.strip(b"\x00") and (size <= len(head) or not _read_at(stream, max(0, size - 4096), 4096).strip(b"\x00")):
        return _identity("zero-filled")  # a placeholder left by a sync or copy that never wrote the data
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_identity(stream, size, head, ext)
    if head.startswith(_OLE_SIGNATURE):
        return _ole_identity(stream, head, ext)
    if head.startswith(b"{\\rtf"):
        return _identity("rtf")
    if head[4:8] == b"ftyp" or _is_quicktime_without_ftyp(head, size):
        return _iso_media_identity(stream, head, ext)
    if head.startswith((b"RIFF", b"RF64", b"BW64")):
        form = {b"AVI ": "avi", b"WAVE": "wav", b"WEBP": "webp"}.get(head[8:12])
        if form:
            return _identity(form)
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return _identity("aiff")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _identity("webm" if b"webm" in head[:128] else "mkv")
    if head.startswith(b"OggS"):
        return _ogg_identity(head)
    if head.startswith(_ASF_SIGNATURE):
        return _asf_identity(stream, head, ext)
    if head.startswith(b"ID3") and len(head) >= 10:
        return _after_id3(stream, size, head)
    if head.startswith(b"bplist00"):
        return _plist_identity(stream, size, head)
    for prefix, fmt in _PREFIXES:
        if head.startswith(prefix):
            return _identity(fmt)
    if _is_bmp(head):
        return _identity("bmp")
    if head[:2] in (b"\x9b\xa5", b"\xdb\xa5") and len(head) >= 4 and struct.unpack_from("<H", head, 2)[0] < 0x65:
        return _identity("doc", legacy=True)  # Word for Windows 1.x and 2.0, before compound files
    if b"%PDF-" in head[:1024]:
        return _identity("pdf")
    if head[257:262] == b"ustar":
        return _identity("tar")
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _text_identity(stream, size, head, ext)
    if _is_transport_stream(head):
        return _identity("mpeg")
    audio = _audio_frames(head, ext)
    if audio:
        return _identity(audio)
    if ext == ".mp3" and _mpeg_audio_later(stream, size, head):
        return _identity("mp3")
    found = _text_identity(stream, size, head, ext)
    if found.format == "unknown" and integrity.find_mpeg_frames(head) is not None:
        return _identity("mp3")  # frames after padding or junk, whatever the name
    return found


# --- images, MPEG streams and raw audio frames -----------------------------------------------------


def _is_bmp(head: bytes) -> bool:
    if not head.startswith(b"BM") or len(head) < 18:
        return False
    reserved, pixel_offset, dib_size = struct.unpack_from("<III", head, 6)
    return reserved == 0 and dib_size in (12, 16, 40, 52, 56, 64, 108, 124) and pixel_offset >= 14 + dib_size


def _is_transport_stream(head: bytes) -> bool:
    """MPEG-TS: a 0x47 sync byte every 188 bytes (192 in .m2ts, after a 4-byte timestamp)."""
    for start, step in ((0, 188), (4, 192)):
        offsets = range(start, min(len(head), start + 4 * step), step)
        if len(offsets) >= 3 and all(head[i] == 0x47 for i in offsets):
            return True
    return False




def _mpeg_audio_frame(data: bytes, pos: int) -> int | None:
    """Length of the MPEG audio frame starting at ``pos`` (0 for free bitrate), None if no sane header."""
    if pos + 4 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xE0 != 0xE0:
        return None
    version = (data[pos + 1] >> 3) & 3
    layer = 4 - ((data[pos + 1] >> 1) & 3)
    bitrate_index = data[pos + 2] >> 4
    rate_index = (data[pos + 2] >> 2) & 3
    if version == 1 or layer == 4 or bitrate_index == 15 or rate_index == 3:
        return None
    if bitrate_index == 0:
        return 0
    mpeg1 = version == 3
    bitrate = integrity.MP3_BITRATES[(mpeg1, layer)][bitrate_index - 1] * 1000
    rate = integrity.MP3_SAMPLE_RATES[version][rate_index]
    padding = (data[pos + 2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    return (144 if mpeg1 or layer == 2 else 72) * bitrate // rate + padding


def _adts_frame(data: bytes, pos: int) -> int | None:
    if pos + 7 > len(data) or data[pos] != 0xFF or data[pos + 1] & 0xF6 != 0xF0:
        return None
    if (data[pos + 2] >> 2) & 0xF > 12:
        return None
    length = ((data[pos + 3] & 3) << 11) | (data[pos + 4] << 3) | (data[pos + 5] >> 5)
    return length if length >= 7 else None


def _audio_frames(data: bytes, ext: str, start: int = 0) -> str | None:
    """"mp3" or "aac" when ``data`` holds a sane frame at ``start`` and, if the head reaches it, a second one."""
    for fmt, frame in (("aac", _adts_frame), ("mp3", _mpeg_audio_frame)):
        length = frame(data, start)
        if length is None:
            continue
        if length == 0:  # free-format MP3: no length to check the next frame against
            return fmt if ext == ".mp3" else None
        following = start + length
        if following == len(data) or frame(data, following) is not None:  # one whole frame, or two
            return fmt
    return None


def _mpeg_audio_later(stream: BinaryIO, size: int, head: bytes) -> bool:
    """For a file named .mp3: MPEG audio frames after junk (up to 1 MB of it), or an ID3v1 tag at its end.

    Editors and broken taggers leave garbage before the first frame; players skip it.
    """
    if integrity.find_mpeg_frames(head) is not None:
        return True
    if size > len(head):
        more = _read_at(stream, 0, min(size, integrity.MP3_SYNC_SCAN_BYTES))
        if integrity.find_mpeg_frames(more) is not None:
            return True
    return size >= 128 and _read_at(stream, size - 128, 3) == b"TAG"


def _after_id3(stream: BinaryIO, size: int, head: bytes) -> Identity:
    """An ID3v2 tag is nearly always on an MP3, but FLAC and AAC may carry one too: look past it."""
    tag_size = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10]))
    if head[5] & 0x10:
        tag_size += 10  # footer
    if tag_size + 8 <= len(head):
        after = head[tag_size:tag_size + 4096]
    elif tag_size < min(size, ID3_MAX_SKIP_BYTES):
        after = _read_at(stream, tag_size, 4096)
    else:
        after = b""
    if after.startswith(b"fLaC"):
        return _identity("flac")
    return _identity(_audio_frames(after, ".mp3") or "mp3")


# --- ISO base media (MP4, QuickTime, 3GP, M4A, HEIF) --------------------------------------------------

_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_VIDEO_M4V_BRANDS = {b"M4V ", b"M4VH", b"M4VP"}
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}


def _is_quicktime_without_ftyp(head: bytes, size: int) -> bool:
    """Old QuickTime files start straight with a movie, data or padding atom."""
    if len(head) < 8 or head[4:8] not in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return False
    box_size = struct.unpack(">I", head[:4])[0]
    return box_size in (0, 1) or 8 <= box_size <= max(size, len(head))


def _iso_media_identity(stream: BinaryIO, head: bytes, ext: str) -> Identity:
    brands: list[bytes] = []
    if head[4:8] == b"ftyp":
        ftyp_size = min(struct.unpack(">I", head[:4])[0], len(head))
        brands = [head[8:12]] + [head[i:i + 4] for i in range(16, ftyp_size - 3, 4)]
    major = brands[0] if brands else b""
    brand_set = set(brands)
    if major in _AVIF_BRANDS or (major in _HEIF_BRANDS and brand_set & _AVIF_BRANDS):
        return _identity("avif")
    if major in _HEIC_BRANDS or (major in _HEIF_BRANDS and brand_set & _HEIC_BRANDS):
        return _identity("heic")
    if major in _HEIF_BRANDS:
        return _identity("heif")

    if major == b"qt  " or not brands:
        fmt = "mov"
    elif major in _AUDIO_BRANDS:
        fmt = "m4a"
    elif major in _VIDEO_M4V_BRANDS:
        fmt = "m4v"
    elif major.startswith((b"3gp", b"3gg", b"3gs", b"3ge", b"3g2")) or major == b"kddi":
        fmt = "3gp"
    else:
        fmt = "mp4"
    tracks = _track_types(stream, head)
    if "vide" in tracks:
        audio = False
    elif "soun" in tracks and "?" not in tracks:
        audio = True
    else:  # no track seen in the head: the brand decides, then the name
        audio = fmt == "m4a" or (fmt == "mp4" and ext in (".m4a", ".m4b", ".m4p", ".m4r"))
    if audio and fmt in ("mp4", "m4v"):
        fmt = "m4a"
    if not audio and fmt == "m4a":
        fmt = "mp4"
    kind = "audio" if audio else "video"
    description = FORMATS[fmt][1]
    if kind != FORMATS[fmt][0]:  # e.g. a 3GP or QuickTime file with only a sound track
        description = description.replace("video", "audio")
    return Identity(kind, fmt, description)


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, payload start, payload end within data, declared end) of the boxes in ``data[start:end]``."""
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        box_size, box_type = struct.unpack_from(">I4s", data, pos)
        header = 8
        if box_size == 1 and pos + 16 <= end:
            box_size, header = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif box_size == 0:
            box_size = end - pos
        if box_size < header:
            return
        yield box_type, pos + header, min(pos + box_size, end), pos + box_size
        pos += box_size


def _track_types(stream: BinaryIO, head: bytes) -> set[str]:
    """Handler types ('vide', 'soun', ...) of the tracks, when the movie box starts within the head."""
    for box_type, payload, _, box_end in _boxes(head):
        if box_type != b"moov":
            continue
        if box_end > len(head):
            if box_end > MOOV_MAX_BYTES:
                return set()
            stream.seek(len(head))
            head = head + _read(stream, box_end - len(head))
        types = set()
        for trak_type, trak_start, trak_end, _ in _boxes(head, payload, min(box_end, len(head))):
            if trak_type != b"trak":
                continue
            handler = "?"  # a track whose handler cannot be read leaves the kind undecided
            for mdia_type, mdia_start, mdia_end, _ in _boxes(head, trak_start, trak_end):
                if mdia_type != b"mdia":
                    continue
                for hdlr_type, hdlr_start, hdlr_end, _ in _boxes(head, mdia_start, mdia_end):
                    if hdlr_type == b"hdlr" and hdlr_start + 12 <= hdlr_end:
                        handler = head[hdlr_start + 8:hdlr_start + 12].decode("latin-1")
            types.add(handler)
        return types
    return set()


# --- Ogg and ASF -----------------------------------------------------------------------------------


def _ogg_identity(head: bytes) -> Identity:
    """The codec's identification header is in the first pages."""
    if b"\x80theora" in head or b"\x01video\x00\x00\x00" in head:
        return _identity("ogv")
    if b"OpusHead" in head:
        return _identity("opus")
    return _identity("ogg")


_ASF_VIDEO_MEDIA = bytes.fromhex("c0ef19bc4d5bcf11a8fd00805f5c442b")  # BC19EFC0-5B4D-11CF-A8FD-00805F5C442B
_ASF_AUDIO_MEDIA = bytes.fromhex("409e69f84d5bcf11a8fd00805f5c442b")  # F8699E40-5B4D-11CF-A8FD-00805F5C442B


def _asf_identity(stream: BinaryIO, head: bytes, ext: str) -> Identity:
    """WMV or WMA: the stream properties objects in the ASF header name each stream's media type."""
    header_size = struct.unpack_from("<Q", head, 16)[0] if len(head) >= 24 else 0
    header = head
    if len(head) < header_size <= ASF_HEADER_MAX_BYTES:
        stream.seek(len(head))
        header = head + _read(stream, header_size - len(head))
    if _ASF_VIDEO_MEDIA in header:
        return _identity("wmv")
    if _ASF_AUDIO_MEDIA in header or ext == ".wma":
        return _identity("wma")
    return _identity("wmv" if ext == ".wmv" else "asf")


# --- ZIP packages ----------------------------------------------------------------------------------

_OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "docx",
    "application/vnd.ms-word.document.macroenabled.main+xml": "docm",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml": "docm",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": "pptx",
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": "pptm",
    "application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml": "pptm",
    "application/vnd.ms-powerpoint.template.macroenabled.main+xml": "pptm",
    "application/vnd.ms-powerpoint.addin.macroenabled.main+xml": "pptm",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.template.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.addin.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.sheet.binary.macroenabled.main": "xlsb",
}
#: When [Content_Types].xml cannot be read, the main part's usual name decides.
_OOXML_MAIN_PARTS = (("word/document.xml", "docx"), ("ppt/presentation.xml", "pptx"),
                     ("xl/workbook.xml", "xlsx"), ("xl/workbook.bin", "xlsb"))
_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.text-template": "odt",
    "application/vnd.oasis.opendocument.text-master": "odt",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.presentation-template": "odp",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.spreadsheet-template": "ods",
}
_CONTENT_TYPE = re.compile(rb"""ContentType\s*=\s*["']([^"']+)["']""")


def _zip_identity(stream: BinaryIO, size: int, head: bytes, ext: str) -> Identity:
    """Word, PowerPoint, Excel, OpenDocument or EPUB by their package layout; otherwise a ZIP archive."""
    import zipfile

    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()[:ZIP_MAX_NAMES]
            by_name = {info.filename: info for info in infos}

            def read_member(member: str, cap: int) -> bytes | None:
                info = by_name.get(member)
                if info is None or info.flag_bits & 1:  # absent, or in a password-protected ZIP
                    return None
                try:
                    with archive.open(info) as handle:
                        return handle.read(cap)
                except Exception:  # noqa: BLE001 - a damaged member says nothing; fall back to names
                    return None

            return _package_identity([info.filename for info in infos], read_member)
    except Exception:  # noqa: BLE001 - truncated or garbled central directory: use the local headers in the head
        return _package_identity(*_local_headers(head))


_MemberReader = Callable[[str, int], "bytes | None"]


def _local_headers(head: bytes) -> tuple[list[str], _MemberReader]:
    """Names, and small contents, of the members whose local headers lie in the head.

    Used when the central directory is missing (a truncated upload) or garbled. Sizes in a local
    header may be zero (they follow the data instead), so every header signature in the head is tried.
    """
    names: list[str] = []
    contents: dict[str, bytes] = {}
    pos = head.find(b"PK\x03\x04")
    while pos >= 0 and pos + 30 <= len(head):
        flags, method = struct.unpack_from("<HH", head, pos + 6)
        compressed, _, name_length, extra_length = struct.unpack_from("<IIHH", head, pos + 18)
        raw_name = head[pos + 30:pos + 30 + name_length]
        plausible = raw_name.isascii() and raw_name.decode("ascii").isprintable()
        if 0 < name_length <= 512 and len(raw_name) == name_length and plausible:
            name = raw_name.decode("ascii")
            names.append(name)
            data_start = pos + 30 + name_length + extra_length
            try:
                if flags & 1:
                    pass  # encrypted member
                elif method == 0 and 0 < compressed <= len(head) - data_start:
                    contents[name] = head[data_start:data_start + compressed]
                elif method == 8:  # the deflate stream ends by itself, whatever the header says
                    contents[name] = zlib.decompressobj(-15).decompress(head[data_start:], CONTENT_TYPES_MAX_BYTES)
            except zlib.error:
                pass
        pos = head.find(b"PK\x03\x04", pos + 4)
    return names, lambda member, cap: contents.get(member, b"")[:cap] or None


def _package_identity(names: list[str], read_member: _MemberReader) -> Identity:
    lowered = {n.lower() for n in names}
    macros = any(n.endswith("vbaproject.bin") for n in lowered)
    # A truncated upload may show only some members: the package relationships are enough to go on.
    if "[content_types].xml" in lowered or "_rels/.rels" in lowered:
        fmt = None
        actual = next((n for n in names if n.lower() == "[content_types].xml"), None)
        content_types = (read_member(actual, CONTENT_TYPES_MAX_BYTES) if actual else None) or b""
        for match in _CONTENT_TYPE.finditer(content_types):
            fmt = _OOXML_MAIN_TYPES.get(match.group(1).decode("latin-1").strip().lower())
            if fmt:
                break
        if fmt is None:
            fmt = next((f for part, f in _OOXML_MAIN_PARTS if part in lowered), None)
        if fmt is None:
            folders = {n.split("/", 1)[0] for n in lowered if "/" in n}
            fmt = next((f for folder, f in (("word", "docx"), ("ppt", "pptx"), ("xl", "xlsx")) if folder in folders),
                       "ooxml")
        macros = macros or fmt in ("docm", "pptm", "xlsm")
        return _identity(fmt, macro_enabled=macros and fmt != "ooxml")
    if "mimetype" in names:
        mimetype = (read_member("mimetype", 200) or b"").decode("latin-1").strip()
        if mimetype == "application/epub+zip":
            return _identity("epub")
        if mimetype.startswith("application/vnd.oasis.opendocument."):
            # A password-protected OpenDocument file lists how each part is encrypted in its manifest.
            manifest = read_member("META-INF/manifest.xml", CONTENT_TYPES_MAX_BYTES) or b""
            return _identity(_ODF_TYPES.get(mimetype, "odf"), encrypted=b"encryption-data" in manifest)
    return _identity("zip")


# --- OLE compound files ----------------------------------------------------------------------------

_FREE_SECTOR_LIMIT = 0xFFFFFFFA  # ids at or above this are markers (end of chain, free, FAT, DIFAT)
#: Sectors followed along one chain before giving up (a looping or absurd chain in a damaged file).
OLE_MAX_CHAIN_SECTORS = 100_000
#: Names that only rights-managed (IRM) files carry: the data space that says "encrypted by DRM".
_RIGHTS_MANAGEMENT_NAMES = frozenset({"DRMEncryptedDataSpace", "DRMEncryptedTransform", "\x09DRMTransform",
                                      "\x09DRMContent", "\x09DRMViewerContent"})

#: A compound-file directory entry: (name, type, left, right, child, start sector, size).
DirectoryEntry = tuple[str, int, int, int, int, int, int]


class CompoundFile:
    """Just enough of [MS-CFB] to list a compound file's entries and read small streams.

    Reads the header, the directory chain and the few FAT, DIFAT and MiniFAT sectors the wanted
    streams pass through; never the whole allocation table (see the module docstring).
    """

    def __init__(self, stream: BinaryIO, header: bytes) -> None:
        self.stream = stream
        sector_shift = struct.unpack_from("<H", header, 0x1E)[0]
        if sector_shift not in (9, 12):
            raise ValueError("not a compound file sector size")
        self.sector_size = 1 << sector_shift
        self.mini_sector_size = 1 << min(struct.unpack_from("<H", header, 0x20)[0], 12)
        self.mini_cutoff = struct.unpack_from("<I", header, 0x38)[0]
        self.first_directory_sector = struct.unpack_from("<I", header, 0x30)[0]
        self.first_minifat_sector = struct.unpack_from("<I", header, 0x3C)[0]
        self.next_difat_sector, self.difat_sectors_left = struct.unpack_from("<II", header, 0x44)
        self.difat = list(struct.unpack_from("<109I", header, 0x4C))
        self.fat_cache: dict[int, tuple[int, ...]] = {}
        self._entries: list[DirectoryEntry] | None = None

    def sector(self, sector_id: int, count: int | None = None) -> bytes:
        data = _read_at(self.stream, (sector_id + 1) * self.sector_size, count or self.sector_size)
        if len(data) < (count or self.sector_size):
            raise EOFError("compound file is truncated")
        return data

    def _fat_sector_id(self, index: int) -> int:
        while index >= len(self.difat) and self.difat_sectors_left > 0:
            if self.next_difat_sector >= _FREE_SECTOR_LIMIT or len(self.difat) > 1_000_000:
                break
            entries = struct.unpack(f"<{self.sector_size // 4}I", self.sector(self.next_difat_sector))
            self.difat.extend(entries[:-1])
            self.next_difat_sector = entries[-1]
            self.difat_sectors_left -= 1
        if index >= len(self.difat):
            raise ValueError("FAT sector missing")
        return self.difat[index]

    def next_sector(self, sector_id: int) -> int:
        per_sector = self.sector_size // 4
        fat_id = self._fat_sector_id(sector_id // per_sector)
        if fat_id not in self.fat_cache:
            self.fat_cache[fat_id] = struct.unpack(f"<{per_sector}I", self.sector(fat_id))
        return self.fat_cache[fat_id][sector_id % per_sector]

    def directory(self) -> list[DirectoryEntry]:
        """Every entry, in directory order (entry 0 is the root storage)."""
        if self._entries is not None:
            return self._entries
        entries: list[DirectoryEntry] = []
        sector_id, seen = self.first_directory_sector, set[int]()
        while sector_id < _FREE_SECTOR_LIMIT and sector_id not in seen and len(seen) < OLE_MAX_DIRECTORY_SECTORS:
            seen.add(sector_id)
            data = self.sector(sector_id)
            for offset in range(0, len(data), 128):
                raw = data[offset:offset + 128]
                name_length = min(struct.unpack_from("<H", raw, 0x40)[0], 64)
                name = raw[:max(name_length - 2, 0)].decode("utf-16-le", "replace")
                entry_type = raw[0x42]
                left, right, child = struct.unpack_from("<III", raw, 0x44)
                start, stream_size = struct.unpack_from("<IQ", raw, 0x74)
                entries.append((name, entry_type, left, right, child, start, stream_size))
            sector_id = self.next_sector(sector_id)
        self._entries = entries
        return entries

    def _chain(self, first: int, count: int, next_id: Callable[[int], int], read: Callable[[int], bytes]) -> bytes:
        """``count`` bytes of a sector chain; ``next_id`` and ``read`` give the chain and a sector's bytes."""
        parts, have, sector_id, steps = [], 0, first, 0
        while have < count and sector_id < _FREE_SECTOR_LIMIT and steps < OLE_MAX_CHAIN_SECTORS:
            chunk = read(sector_id)
            parts.append(chunk)
            have += len(chunk)
            sector_id, steps = next_id(sector_id), steps + 1
        return b"".join(parts)[:count]

    def read_stream(self, entry: DirectoryEntry, cap: int) -> bytes:
        """Up to ``cap`` bytes of a stream, whether in regular sectors or in the mini stream."""
        start, stream_size = entry[5], entry[6]
        count = min(stream_size, cap)
        if count <= 0 or start >= _FREE_SECTOR_LIMIT:
            return b""
        if stream_size >= self.mini_cutoff:
            return self._chain(start, count, self.next_sector, self.sector)
        return self._chain(start, count, self._next_mini_sector, self._mini_sector)

    def _next_mini_sector(self, mini_id: int) -> int:
        per_sector = self.sector_size // 4
        table = self._regular_sector_at(self.first_minifat_sector, mini_id // per_sector)
        return struct.unpack_from("<I", self.sector(table), (mini_id % per_sector) * 4)[0]

    def _mini_sector(self, mini_id: int) -> bytes:
        """A mini sector: a slice of the root entry's stream (the mini stream) at mini_id * 64."""
        root_start = self.directory()[0][5]
        offset = mini_id * self.mini_sector_size
        sector = self._regular_sector_at(root_start, offset // self.sector_size)
        return self.sector(sector)[offset % self.sector_size:][:self.mini_sector_size]

    def _regular_sector_at(self, first: int, index: int) -> int:
        sector_id = first
        for _ in range(min(index, OLE_MAX_CHAIN_SECTORS)):
            sector_id = self.next_sector(sector_id)
            if sector_id >= _FREE_SECTOR_LIMIT:
                raise ValueError("sector chain ends early")
        return sector_id


def root_children(entries: list[DirectoryEntry]) -> dict[str, DirectoryEntry]:
    """The root storage's entries (a red-black tree hanging off the root's child), by name."""
    if not entries or entries[0][1] != 5:
        return {}
    children: dict[str, DirectoryEntry] = {}
    pending, seen = [entries[0][4]], set[int]()
    while pending:
        index = pending.pop()
        if index >= len(entries) or index in seen:
            continue
        seen.add(index)
        entry = entries[index]
        children[entry[0]] = entry
        pending += [entry[2], entry[3]]
    return children


def _ole_identity(stream: BinaryIO, head: bytes, ext: str) -> Identity:
    """Password-protected OOXML, old Word/PowerPoint/Excel, or another compound file, by the root's entries."""
    try:
        document = CompoundFile(stream, head[:512])
        entries = document.directory()
        root = root_children(entries)
    except Exception:  # noqa: BLE001 - a damaged directory: fall back to what the name claims
        legacy = {".doc": "doc", ".dot": "doc", ".ppt": "ppt", ".pps": "ppt", ".xls": "xls", ".xlt": "xls"}.get(ext)
        return _identity(legacy, legacy=True) if legacy else _identity("ole")
    # Rights management (IRM) wraps a document in a DRM data space that no password opens.
    rights_managed = any(entry[0] in _RIGHTS_MANAGEMENT_NAMES for entry in entries)
    if "EncryptionInfo" in root or "EncryptedPackage" in root:
        office = _EXTENSIONS.get(ext, ())
        kind = FORMATS[office[0]][0] if _ENCRYPTED in office else "other"
        return Identity(kind, _ENCRYPTED, FORMATS[_ENCRYPTED][1], encrypted=True, rights_managed=rights_managed)
    if "WordDocument" in root:
        # FIB: wIdent 0xA5EC, then flags at 0x0A whose bit 0x0100 is fEncrypted.
        fib = _stream_start(document, root["WordDocument"], 12)
        encrypted = len(fib) == 12 and fib[:2] == b"\xec\xa5" and bool(struct.unpack_from("<H", fib, 10)[0] & 0x0100)
        return _identity("doc", legacy=True, encrypted=encrypted, rights_managed=rights_managed)
    if "PowerPoint Document" in root or "PP40" in root:  # PP40: PowerPoint 4.0
        encrypted = "EncryptedSummary" in root or _powerpoint_encrypted(document, root.get("Current User"))
        return _identity("ppt", legacy=True, encrypted=encrypted, rights_managed=rights_managed)
    for name in ("Workbook", "Book"):
        if name in root:
            # BIFF: a FILEPASS record (0x002F) straight after the first BOF record means encrypted
            # (RC4, CryptoAPI or the old XOR obfuscation alike).
            records = _stream_start(document, root[name], 64)
            encrypted = False
            if len(records) >= 8:
                bof_length = struct.unpack_from("<H", records, 2)[0]
                follow = records[4 + bof_length:6 + bof_length]
                encrypted = follow == b"\x2f\x00"
            return _identity("xls", legacy=True, encrypted=encrypted, rights_managed=rights_managed)
    if any(name.startswith("__substg1.0_") for name in root):
        return _identity("msg")
    return _identity("ole")


def _powerpoint_encrypted(document: CompoundFile, current_user: DirectoryEntry | None) -> bool:
    """Whether the "Current User" stream's header token says the presentation is encrypted.

    [MS-PPT] CurrentUserAtom: an 8-byte record header, a size, then headerToken 0xF3D1C4DF when the
    document is encrypted (0xE391C05F when not). The stream is small, so it lives in the mini stream.
    """
    if current_user is None:
        return False
    try:
        atom = document.read_stream(current_user, 16)
    except Exception:  # noqa: BLE001 - a damaged stream says nothing either way
        return False
    return len(atom) >= 16 and struct.unpack_from("<I", atom, 12)[0] == 0xF3D1C4DF


def _stream_start(document: CompoundFile, entry: DirectoryEntry, count: int) -> bytes:
    """The first bytes of a stream held in regular sectors; b"" for small streams in the mini stream."""
    start, stream_size = entry[5], entry[6]
    if stream_size < document.mini_cutoff or start >= _FREE_SECTOR_LIMIT:
        return b""
    try:
        return document.sector(start, min(count, document.sector_size, stream_size))
    except Exception:  # noqa: BLE001 - a damaged stream says nothing either way
        return b""


# --- text ------------------------------------------------------------------------------------------


def _decode_text(head: bytes, complete: bool) -> str | None:
    """The head as text when it plausibly is text, else None."""
    if head.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8", head[3:])]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be", head[2:])]
    else:
        candidates = [("utf-8", head)]
        even, odd = head[0::2], head[1::2]
        if len(head) >= 4 and odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
            candidates = [("utf-16-le", head)]
        elif len(head) >= 4 and even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
            candidates = [("utf-16-be", head)]
        else:
            candidates.append(("cp1252", head))
    for encoding, data in candidates:
        try:
            if encoding == "cp1252":
                text = data.decode("cp1252", "replace")
            else:
                text = codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            return None
        unusual = sum(1 for c in text if (ord(c) < 32 and c not in "\t\n\r\f\v\x1b") or c in "\x7f\ufffd")
        if unusual <= len(text) / 100:
            return text
    return None


_HTML_START = re.compile(r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.S | re.I)
_YAML_LINE = re.compile(r"""^(?:\s*#.*|\s*-(?:\s.*)?|\s*[\w"'][\w .'"/-]*:(?:\s.*)?|\s+\S.*)$""")
_YAML_KEY = re.compile(r"""^\s*(?:-\s+)?[\w"'][\w .'"/-]*:(?:\s|$)""")
_JSON_START = re.compile(r"""^(?:\{\s*(?:"|\}|$)|\[\s*(?:[\[{"\-\d\]]|true|false|null|$))""")


def _text_identity(stream: BinaryIO, size: int, head: bytes, ext: str) -> Identity:
    complete = size <= len(head)
    text = _decode_text(head, complete)
    if text is None:
        return _identity("unknown")
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        return _identity("txt")
    lowered = stripped[:2048].lower()
    if stripped.startswith("{\\rtf"):
        return _identity("rtf")
    if "[internetshortcut]" in lowered and re.search(r"^\s*url\s*=", text, re.M | re.I):
        return _identity("url")
    if stripped.startswith("<"):
        if _HTML_START.match(lowered):
            return _identity("html")
        if lowered.startswith(("<?xml", "<!doctype plist", "<plist")) and "<plist" in lowered:
            return _plist_identity(stream, size, head)
        if lowered.startswith("<?xml") or re.match(r"<[a-z_][\w:.-]*[\s>/]", lowered):
            return _identity("xml")
    if _JSON_START.match(stripped[:64]):
        if not complete:  # only the head is at hand: ask for an object key or a nested value
            return _identity("json") if re.match(r'(?:\{\s*"|\[\s*[\[{"])', stripped) else _identity("txt")
        try:
            json.loads(stripped)
            return _identity("json")
        except ValueError:
            pass
    if _looks_like_yaml(stripped, ext):
        return _identity("yaml")
    if ext in (".csv", ".tsv") or _has_consistent_delimiters(stripped, complete):
        return _identity("csv")
    return _identity("txt")


def _looks_like_yaml(text: str, ext: str) -> bool:
    if text.startswith(("%YAML", "---\n", "---\r\n", "--- ")) or ext in (".yaml", ".yml"):
        return True
    lines = [line for line in text.splitlines()[:40] if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) < 3:
        return False
    return all(_YAML_LINE.match(line) for line in lines) and sum(bool(_YAML_KEY.match(line)) for line in lines) >= 2


def _has_consistent_delimiters(text: str, complete: bool) -> bool:
    lines = text.splitlines()
    if not complete:
        lines = lines[:-1]  # the last line may be cut off by the end of the head
    lines = [re.sub(r'"[^"]*"', "", line) for line in lines[:50] if line.strip()]
    for delimiter in (",", "\t", ";", "|"):
        counts = {line.count(delimiter) for line in lines}
        # Two lines with one comma each are as likely prose: ask for a header and two rows then.
        if len(counts) == 1 and (count := counts.pop()) >= 1 and len(lines) >= (2 if count >= 2 else 3):
            return True
    return False


def _plist_identity(stream: BinaryIO, size: int, head: bytes) -> Identity:
    """A property list holding a URL is a Mac internet shortcut (.webloc)."""
    import plistlib

    data = head if size <= len(head) else _read_at(stream, 0, min(size, 256 * 1024))
    try:
        plist = plistlib.loads(data)  # refuses entity declarations in XML plists
    except Exception:  # noqa: BLE001 - not a readable plist
        return _identity("xml") if not head.startswith(b"bplist") else _identity("unknown")
    if isinstance(plist, dict) and isinstance(plist.get("URL"), str):
        return _identity("webloc")
    return _identity("xml") if not head.startswith(b"bplist") else _identity("unknown")
