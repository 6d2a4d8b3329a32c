"""File identification by content: real files built with the real libraries and ffmpeg, the shared corpus,
extension mismatches, and damaged or hostile input that must never make `identify` raise."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import plistlib
import random
import re
import struct
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from portfolio_check.extract.identify import (
    FORMATS,
    HEAD_BYTES,
    Identity,
    as_audio,
    extension_mismatch,
    identify,
    with_article,
)

#: Every kind identification can answer (the kinds of the format table).
KINDS = frozenset(kind for kind, _ in FORMATS.values())


def identify_bytes(data: bytes, name: str = "") -> Identity:
    return identify(io.BytesIO(data), len(data), name)


def identify_path(path: Path, name: str | None = None) -> Identity:
    with path.open("rb") as stream:
        return identify(stream, path.stat().st_size, path.name if name is None else name)


class CountingStream(io.RawIOBase):
    """A seekable file that counts the bytes handed out, to prove `identify` reads only what it needs."""

    def __init__(self, data: bytes) -> None:
        self.inner = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.bytes_read += len(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.inner.seek(offset, whence)

    def tell(self) -> int:
        return self.inner.tell()


# --- a minimal compound file (CFB), since olefile cannot write one ----------------------------------

END_OF_CHAIN, FREE_SECTOR, FAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def build_cfb(streams: dict[str, bytes]) -> bytes:
    """A version 3 compound file (512-byte sectors) whose root storage holds ``streams``.

    Every stream is padded to the 4096-byte mini-stream cutoff so that all live in regular sectors,
    which keeps the file valid without a mini stream.
    """
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # the order CFB compares names in
    payloads = [streams[n].ljust(4096, b"\0") for n in names]
    entries_count = 1 + len(names)
    directory_sectors = -(-entries_count * 128 // 512)
    fat = [FAT_SECTOR]
    fat += [len(fat) + i + 1 for i in range(directory_sectors - 1)] + [END_OF_CHAIN]
    starts = []
    for payload in payloads:
        starts.append(len(fat))
        count = len(payload) // 512
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [END_OF_CHAIN]
    assert len(fat) <= 128, "one FAT sector only in this builder"
    fat += [FREE_SECTOR] * (128 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", FREE_SECTOR, right, child) + bytes(16 + 4 + 16)
                + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, FREE_SECTOR, 1 if names else FREE_SECTOR, END_OF_CHAIN, 0)
    for index, (name, payload, start) in enumerate(zip(names, payloads, starts, strict=True), start=1):
        right = index + 1 if index < len(names) else FREE_SECTOR  # a right-leaning chain is a valid tree
        directory += entry(name, 2, right, FREE_SECTOR, start, len(payload))
    directory = directory.ljust(directory_sectors * 512, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END_OF_CHAIN, 0, END_OF_CHAIN, 0)
              + struct.pack("<109I", 0, *[FREE_SECTOR] * 108))
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + b"".join(payloads)


def word_fib(encrypted: bool) -> bytes:
    """The start of a WordDocument stream: wIdent 0xA5EC, nFib, ..., flags with fEncrypted (0x0100)."""
    return struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0, 0, 0x0100 if encrypted else 0) + bytes(20)


def biff_workbook(encrypted: bool) -> bytes:
    """The start of a BIFF8 Workbook stream: a BOF record, then FILEPASS when encrypted."""
    bof = struct.pack("<HH", 0x0809, 16) + struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0)
    following = struct.pack("<HH", 0x002F, 4) + bytes(4) if encrypted else struct.pack("<HH", 0x00E1, 2) + bytes(2)
    return bof + following


ENCRYPTED_OOXML = {
    "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00<?xml version='1.0'?><encryption/>",
    "EncryptedPackage": os.urandom(64),
    "\x06DataSpaces": b"",
}


# --- Office documents built with the real libraries -------------------------------------------------


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Witness statement")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pptx_bytes() -> bytes:
    import pptx

    presentation = pptx.Presentation()
    presentation.slides.add_slide(presentation.slide_layouts[0]).shapes.title.text = "Project"
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def _xlsx_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["KSB", "Evidence"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_zip(data: bytes, change=lambda name, content: content, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info)))
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def _macro_enabled(data: bytes, folder: str, plain_type: str, macro_type: str) -> bytes:
    """What Office writes for .docm/.pptm/.xlsm: a vbaProject.bin part and the macro-enabled main content type."""
    def change(name: str, content: bytes) -> bytes:
        return content.replace(plain_type.encode(), macro_type.encode()) if name == "[Content_Types].xml" else content

    return _rewrite_zip(data, change, {f"{folder}/vbaProject.bin": build_cfb({"VBA": b"Attribute VB_Name"})})


@pytest.fixture(scope="module")
def office() -> dict[str, bytes]:
    docx_data, pptx_data, xlsx_data = _docx_bytes(), _pptx_bytes(), _xlsx_bytes()
    return {
        "docx": docx_data,
        "pptx": pptx_data,
        "xlsx": xlsx_data,
        "docm": _macro_enabled(docx_data, "word",
                               "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                               "application/vnd.ms-word.document.macroEnabled.main+xml"),
        "pptm": _macro_enabled(pptx_data, "ppt",
                               "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
                               "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"),
        "xlsm": _macro_enabled(xlsx_data, "xl",
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                               "application/vnd.ms-excel.sheet.macroEnabled.main+xml"),
    }


@pytest.mark.parametrize("fmt, kind", [("docx", "word"), ("pptx", "powerpoint"), ("xlsx", "spreadsheet")])
def test_office_open_xml(office, fmt, kind):
    identity = identify_bytes(office[fmt], f"evidence.{fmt}")
    assert (identity.kind, identity.format) == (kind, fmt)
    assert not identity.macro_enabled and not identity.legacy and not identity.encrypted


@pytest.mark.parametrize("fmt, kind", [("docm", "word"), ("pptm", "powerpoint"), ("xlsm", "spreadsheet")])
def test_macro_enabled_office(office, fmt, kind):
    identity = identify_bytes(office[fmt], "whatever.bin")
    assert (identity.kind, identity.format, identity.macro_enabled) == (kind, fmt, True)
    assert "macro-enabled" in identity.description


def test_docx_with_a_macro_part_but_plain_content_type_is_flagged_as_macro_enabled(office):
    data = _rewrite_zip(office["docx"], extra={"word/vbaProject.bin": b"x"})
    identity = identify_bytes(data, "a.docx")
    assert (identity.format, identity.macro_enabled) == ("docx", True)


def test_office_identified_without_content_types_by_main_part(office):
    data = _rewrite_zip(office["pptx"], lambda name, c: b"<Types/>" if name == "[Content_Types].xml" else c)
    assert identify_bytes(data).format == "pptx"


def test_office_member_of_a_zip_is_identified_through_zipextfile(office):
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("portfolio/report.docx", office["docx"])
    with zipfile.ZipFile(outer) as archive, archive.open("portfolio/report.docx") as member:
        identity = identify(member, len(office["docx"]), "report.docx")
        assert member.tell() == 0
    assert identity.format == "docx"


def _odf(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first, as the standard asks
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


@pytest.mark.parametrize("mimetype, fmt, kind", [
    ("application/vnd.oasis.opendocument.text", "odt", "word"),
    ("application/vnd.oasis.opendocument.presentation", "odp", "powerpoint"),
    ("application/vnd.oasis.opendocument.spreadsheet", "ods", "spreadsheet"),
    ("application/vnd.oasis.opendocument.graphics", "odf", "other"),
    ("application/epub+zip", "epub", "other"),
])
def test_opendocument_and_epub(mimetype, fmt, kind):
    identity = identify_bytes(_odf(mimetype))
    assert (identity.kind, identity.format) == (kind, fmt)


def test_plain_zip_is_an_archive():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photos/a.jpg", b"\xff\xd8\xff" + bytes(100))
    assert identify_bytes(buffer.getvalue(), "photos.zip") == Identity("archive", "zip", "ZIP archive")


# --- OLE compound files ---------------------------------------------------------------------------


def test_password_protected_office_takes_its_kind_from_the_extension():
    data = build_cfb(ENCRYPTED_OOXML)
    for name, kind in (("report.docx", "word"), ("slides.pptm", "powerpoint"), ("marks.xlsx", "spreadsheet"),
                       ("blob.bin", "other"), ("statement.pdf", "other")):
        identity = identify_bytes(data, name)
        assert (identity.kind, identity.format, identity.encrypted) == (kind, "office-encrypted", True), name
        assert not identity.legacy


@pytest.mark.parametrize("streams, fmt, kind, encrypted", [
    ({"WordDocument": word_fib(False), "1Table": b"t", "\x05SummaryInformation": b"s"}, "doc", "word", False),
    ({"WordDocument": word_fib(True), "1Table": b"t"}, "doc", "word", True),
    ({"PowerPoint Document": b"p", "Current User": b"u"}, "ppt", "powerpoint", False),
    ({"PowerPoint Document": b"p", "EncryptedSummary": b"e"}, "ppt", "powerpoint", True),
    ({"Workbook": biff_workbook(False)}, "xls", "spreadsheet", False),
    ({"Workbook": biff_workbook(True)}, "xls", "spreadsheet", True),
    ({"Book": biff_workbook(False)}, "xls", "spreadsheet", False),
])
def test_legacy_office(streams, fmt, kind, encrypted):
    identity = identify_bytes(build_cfb(streams), "old.bin")
    assert (identity.kind, identity.format, identity.legacy, identity.encrypted) == (kind, fmt, True, encrypted)


def current_user(encrypted: bool) -> bytes:
    """[MS-PPT] CurrentUserAtom: record header (type 0x0FF6), size 0x14, then the header token."""
    token = 0xF3D1C4DF if encrypted else 0xE391C05F
    return struct.pack("<HHIII", 0, 0x0FF6, 20, 0x14, token) + bytes(16)


@pytest.mark.parametrize("streams, encrypted", [
    ({"PowerPoint Document": b"p", "Current User": current_user(False)}, False),
    # RC4 CryptoAPI encryption leaves no EncryptedSummary stream: the Current User atom says it
    ({"PowerPoint Document": b"p", "Current User": current_user(True)}, True),
    ({"PP40": b"p", "Current User": b"u", "\x05SummaryInformation": b"s"}, False),  # PowerPoint 4.0
])
def test_powerpoint_encryption_and_version(streams, encrypted):
    identity = identify_bytes(build_cfb(streams), "talk.ppt")
    assert (identity.kind, identity.format, identity.legacy, identity.encrypted) == ("powerpoint", "ppt", True,
                                                                                      encrypted)
    assert extension_mismatch("talk.ppt", identity) is None


def test_rights_managed_office_file():
    """IRM wraps the package in a DRM data space: encrypted, and no password opens it."""
    password = identify_bytes(build_cfb(ENCRYPTED_OOXML), "a.docx")
    managed = identify_bytes(build_cfb({**ENCRYPTED_OOXML, "DRMEncryptedDataSpace": b"d"}), "a.docx")
    assert (password.encrypted, password.rights_managed) == (True, False)
    assert (managed.kind, managed.encrypted, managed.rights_managed) == ("word", True, True)


def test_word_before_compound_files():
    """Word for Windows 1 and 2 (wIdent 0xA59B / 0xA5DB, then nFib): old Word documents, not unknown."""
    for ident in (b"\xdb\xa5\x2d\x00", b"\x9b\xa5\x21\x00"):
        identity = identify_bytes(ident + bytes(2000), "old.doc")
        assert (identity.kind, identity.format, identity.legacy) == ("word", "doc", True)


def test_encrypted_opendocument(tmp_path):
    def odf(manifest: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
            archive.writestr("META-INF/manifest.xml", manifest)
            archive.writestr("content.xml", b"x")
        return out.getvalue()

    entry = b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"'
    plain = identify_bytes(odf(b"<manifest:manifest>" + entry + b"/></manifest:manifest>"), "a.odt")
    locked = identify_bytes(odf(b"<manifest:manifest>" + entry + b"><manifest:encryption-data/>"
                                b"</manifest:file-entry></manifest:manifest>"), "a.odt")
    assert (plain.format, plain.encrypted) == ("odt", False)
    assert (locked.kind, locked.format, locked.encrypted) == ("word", "odt", True)


def test_zero_filled_placeholder():
    """What an interrupted sync leaves: the right length, every byte zero."""
    assert identify_bytes(bytes(20_000), "clip.mov").format == "zero-filled"
    assert identify_bytes(bytes(20_000) + b"data", "clip.mov").format == "unknown"


#: Ten MPEG-1 layer III frames (128 kbit/s, 44.1 kHz: 417 bytes each), silent.
MP3_FRAMES = (b"\xff\xfb\x90\x64" + bytes(413)) * 10


def test_mp3_after_junk_is_found_when_the_name_says_mp3():
    junk = b"garbage from a broken tagger " * 7000  # 200 kB of text-like junk before the first frame
    assert identify_bytes(junk + MP3_FRAMES, "call.mp3").format == "mp3"
    assert identify_bytes(junk + MP3_FRAMES, "notes.txt").kind == "text"
    assert identify_bytes(bytes(3000) + MP3_FRAMES, "x").format == "mp3"  # padding then frames, whatever the name
    # Only an ID3v1 tag at the end: an MP3 (with no sound, which the media reader reports).
    assert identify_bytes(b"\x01" * 128 + b"TAG" + bytes(125), "song.mp3").format == "mp3"


def test_other_compound_files():
    assert identify_bytes(build_cfb({"__substg1.0_0037001F": b"Subject"})).format == "msg"
    assert identify_bytes(build_cfb({"VisioDocument": b"v"})) == Identity("other", "ole", FORMATS["ole"][1])


def test_damaged_compound_file_falls_back_to_the_name():
    header = build_cfb({"WordDocument": word_fib(False)})[:512]
    assert identify_bytes(header, "old.doc").format == "doc"
    assert identify_bytes(header, "thing.bin").format == "ole"


# --- media made with ffmpeg -------------------------------------------------------------------------

VIDEO = ["-f", "lavfi", "-i", "testsrc=size=32x32:rate=25:duration=1"]
AUDIO = ["-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
H264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
# name -> (ffmpeg arguments, expected kind, expected format)
CLIPS: dict[str, tuple[list[str], str, str]] = {
    "clip.mp4": ([*VIDEO, *AUDIO, *H264, "-c:a", "aac"], "video", "mp4"),
    "clip.mov": ([*VIDEO, *AUDIO, *H264, "-c:a", "aac"], "video", "mov"),
    "clip.m4v": ([*VIDEO, *H264, "-f", "ipod"], "video", "m4v"),
    "clip.3gp": ([*VIDEO, *AUDIO, *H264, "-c:a", "aac", "-ac", "1", "-ar", "8000"], "video", "3gp"),
    "clip.3g2": ([*VIDEO, *AUDIO, *H264, "-c:a", "aac", "-ac", "1", "-ar", "8000"], "video", "3gp"),
    "clip.webm": ([*VIDEO, *AUDIO, "-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus"], "video", "webm"),
    "clip.mkv": ([*VIDEO, *AUDIO, "-c:v", "mpeg4", "-c:a", "libmp3lame"], "video", "mkv"),
    "clip.avi": ([*VIDEO, *AUDIO, "-c:v", "mpeg4", "-c:a", "libmp3lame"], "video", "avi"),
    "clip.wmv": ([*VIDEO, *AUDIO, "-c:v", "wmv2", "-c:a", "wmav2"], "video", "wmv"),
    "clip.flv": ([*VIDEO, *AUDIO, "-c:v", "flv", "-c:a", "libmp3lame", "-ar", "44100"], "video", "flv"),
    "clip.mpg": ([*VIDEO, *AUDIO, "-c:v", "mpeg1video", "-c:a", "mp2", "-f", "mpeg"], "video", "mpeg"),
    "clip.ts": ([*VIDEO, *AUDIO, "-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts"], "video", "mpeg"),
    "clip.ogv": ([*VIDEO, *AUDIO, "-c:v", "libtheora", "-c:a", "libvorbis"], "video", "ogv"),
    "sound.wav": ([*AUDIO], "audio", "wav"),
    "sound.mp3": ([*AUDIO, "-c:a", "libmp3lame"], "audio", "mp3"),
    "bare.mp3": ([*AUDIO, "-c:a", "libmp3lame", "-id3v2_version", "0", "-write_xing", "0"], "audio", "mp3"),
    "sound.aac": ([*AUDIO, "-c:a", "aac", "-f", "adts"], "audio", "aac"),
    "sound.m4a": ([*AUDIO, "-c:a", "aac"], "audio", "m4a"),
    # an audio-only MP4 with the movie box first: its track handler decides, whatever the name
    "faststart-audio.mp4": ([*AUDIO, "-c:a", "aac", "-movflags", "+faststart"], "audio", "m4a"),
    "sound.ogg": ([*AUDIO, "-c:a", "libvorbis"], "audio", "ogg"),
    "sound.opus": ([*AUDIO, "-c:a", "libopus"], "audio", "opus"),
    "sound.flac": ([*AUDIO, "-c:a", "flac"], "audio", "flac"),
    "sound.aiff": ([*AUDIO, "-c:a", "pcm_s16be", "-f", "aiff"], "audio", "aiff"),
    "sound.wma": ([*AUDIO, "-c:a", "wmav2"], "audio", "wma"),
    "sound.asf": ([*AUDIO, "-c:a", "wmav2", "-f", "asf"], "audio", "wma"),
    "sound.amr": ([*AUDIO, "-c:a", "libopencore_amrnb", "-ar", "8000", "-ac", "1", "-b:a", "12.2k"], "audio", "amr"),
    "sound.mka": ([*AUDIO, "-c:a", "libvorbis"], "video", "mkv"),  # no track parsing for Matroska: the probe decides
}


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    """Every clip of `CLIPS`, made once (1 s, 32x32), two ffmpeg processes at a time."""
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    folder = tmp_path_factory.mktemp("media")
    pending = list(CLIPS.items())
    running: list[tuple[str, subprocess.Popen]] = []
    while pending or running:
        while pending and len(running) < 2:
            name, (arguments, _, _) = pending.pop()
            command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *arguments, "-t", "1", str(folder / name)]
            running.append((name, subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
        name, process = running.pop(0)
        _, errors = process.communicate(timeout=60)
        assert process.returncode == 0, f"ffmpeg could not make {name}: {errors.decode(errors='replace')}"
    return {name: folder / name for name in CLIPS}


@pytest.mark.parametrize("name", list(CLIPS))
def test_media_clip(media, name):
    _, kind, fmt = CLIPS[name]
    identity = identify_path(media[name])
    assert (identity.kind, identity.format) == (kind, fmt)
    assert identity.kind in KINDS
    assert extension_mismatch(name, identity) is None


def test_audio_only_mp4_with_the_movie_box_last_needs_the_name(media, tmp_path):
    """Without reading past the head the tracks are unknown: an .m4a name makes it audio, .mp4 stays video."""
    data = media["sound.m4a"].read_bytes().replace(b"ftypM4A ", b"ftypisom", 1)
    assert data.find(b"moov") > HEAD_BYTES  # ffmpeg writes the movie box after the media data
    assert identify_bytes(data, "voice.m4a").kind == "audio"
    assert identify_bytes(data, "voice.mp4").kind == "video"


def test_mp3_behind_a_large_id3_tag(media):
    frames = media["bare.mp3"].read_bytes()
    picture = bytes(50_000)
    size = len(picture)
    syncsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    assert identify_bytes(b"ID3\x04\x00\x00" + syncsafe + picture + frames).format == "mp3"
    flac = media["sound.flac"].read_bytes()
    assert identify_bytes(b"ID3\x04\x00\x00" + syncsafe + picture + flac).format == "flac"


def test_head_only_for_media_with_the_movie_box_last():
    body = bytes(5_000_000)
    data = (struct.pack(">I4s4sI4s", 20, b"ftyp", b"isom", 0x200, b"isom")
            + struct.pack(">I4s", 8 + len(body), b"mdat") + body
            + struct.pack(">I4s", 8, b"moov"))
    stream = CountingStream(data)
    assert identify(stream, len(data), "big.mp4").format == "mp4"
    assert stream.bytes_read <= HEAD_BYTES


def test_zip_reads_only_the_central_directory_and_small_parts(office):
    data = _rewrite_zip(office["pptx"], extra={"ppt/media/media1.mp4": os.urandom(3_000_000)})
    stream = CountingStream(data)
    assert identify(stream, len(data), "talk.pptx").format == "pptx"
    assert stream.bytes_read < 200_000


# --- images, PDF, archives ------------------------------------------------------------------------


@pytest.mark.parametrize("pillow_format, fmt", [
    ("JPEG", "jpeg"), ("PNG", "png"), ("GIF", "gif"), ("TIFF", "tiff"), ("WEBP", "webp"), ("BMP", "bmp"),
])
def test_images(pillow_format, fmt):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, pillow_format)
    identity = identify_bytes(buffer.getvalue(), "photo")
    assert (identity.kind, identity.format) == ("image", fmt)


def _pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_also_after_leading_junk():
    pdf = _pdf_bytes()
    assert identify_bytes(pdf).format == "pdf"
    assert identify_bytes(b"\r\n%!junk from a mail gateway\r\n" * 20 + pdf).format == "pdf"
    assert identify_bytes(b"x" * 1100 + pdf).format != "pdf"  # beyond the first 1024 bytes it is not a PDF


def test_archives(tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("hello\n")
    with tarfile.open(tmp_path / "a.tar", "w") as archive:
        archive.add(source, "notes.txt")
    assert identify_path(tmp_path / "a.tar").format == "tar"
    assert identify_bytes(gzip.compress(b"hello")).format == "gzip"
    assert identify_bytes(bz2.compress(b"hello")).format == "bzip2"
    assert identify_bytes(lzma.compress(b"hello")).format == "xz"
    # signatures only: no 7-Zip or RAR writer is at hand
    assert identify_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + os.urandom(64)).format == "7z"
    assert identify_bytes(b"Rar!\x1a\x07\x01\x00" + os.urandom(64)).format == "rar"


def test_quicktime_without_ftyp_and_heif_brands():
    moov = struct.pack(">I4s", 16, b"moov") + struct.pack(">I4s", 8, b"udta")
    assert identify_bytes(moov).format == "mov"
    heif = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"mif1", 0, b"mif1", b"heic")
    assert identify_bytes(heif + bytes(32)).format == "heic"
    avif = struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"avif", 0, b"mif1", b"miaf")
    assert identify_bytes(avif + bytes(32)) == Identity("image", "avif", "AVIF image")
    audio = struct.pack(">I4s4sI4s", 20, b"ftyp", b"M4A ", 0, b"isom")
    assert identify_bytes(audio + bytes(32)).kind == "audio"


# --- text, links ----------------------------------------------------------------------------------


@pytest.mark.parametrize("content, name, fmt", [
    ("KSB,Evidence,Page\nK1,report.docx,3\nS2,\"video, part 1\",1\n", "map.txt", "csv"),
    ("ksb;file\nK1;a.docx\nS1;b.pdf\n", "map.dat", "csv"),
    ("one column\nonly\n", "map.csv", "csv"),
    ("Dear assessor,\nplease find my portfolio attached.\nThanks\n", "note.txt", "txt"),
    ("Hello, world.\nGoodbye, friend.\n", "note", "txt"),
    ("<!DOCTYPE html>\n<html><body>Hi</body></html>", "page", "html"),
    ("\ufeff  \n<html lang='en'><head></head></html>", "page", "html"),
    ("<?xml version='1.0'?>\n<!-- x -->\n<!DOCTYPE html><html/>", "page", "html"),
    ("<?xml version='1.0'?>\n<mapping><ksb code='K1'/></mapping>", "m", "xml"),
    ("<svg xmlns='http://www.w3.org/2000/svg'/>", "m", "xml"),
    ('{"K1": ["report.docx"], "S1": []}', "m", "json"),
    ('[{"ksb": "K1"}]', "m", "json"),
    ("%YAML 1.2\n---\nK1: report.docx\n", "m", "yaml"),
    ("---\nK1: a\n", "m", "yaml"),
    ("standard: ST0792\nmapping:\n  K1:\n    - report.docx\n  S2: [video.mp4]\n", "m", "yaml"),
    ("anything at all", "m.yml", "yaml"),
    ("{\\rtf1\\ansi{\\fonttbl\\f0 Arial;}Hello}", "letter", "rtf"),
    ("[InternetShortcut]\r\nURL=https://example.org/evidence\r\n", "link", "url"),
    ("[{000214A0-0000-0000-C000-000000000046}]\r\nProp3=19,11\r\n[InternetShortcut]\r\nIDList=\r\n"
     "URL=https://example.org/\r\n", "link", "url"),
])
def test_text_formats(content, name, fmt):
    identity = identify_bytes(content.encode("utf-8"), name)
    assert (identity.kind, identity.format) == (FORMATS[fmt][0], fmt)


def test_text_encodings():
    text = "".join(f"Café menu {i} – £3{', naïve' * (i % 3)} résumé\n" for i in range(20))
    assert identify_bytes(text.encode("cp1252")).format == "txt"
    assert identify_bytes(text.encode("utf-16")).format == "txt"  # with BOM
    assert identify_bytes(text.encode("utf-16-le")).format == "txt"  # without BOM
    assert identify_bytes(b"\xef\xbb\xbf" + text.encode("utf-8")).format == "txt"
    assert identify_bytes(("a,b\n1,2\n3,4\n").encode("utf-16")).format == "csv"
    # a multi-byte character cut by the end of the head is still text
    long_text = ("é" * (HEAD_BYTES // 2 + 1)).encode("utf-8")[1:] + b"\n"
    assert identify_bytes(b"x" + long_text).kind == "text"


def test_binary_is_not_text():
    assert identify_bytes(b"hello\x00world" * 50).format == "unknown"
    assert identify_bytes(bytes(range(256)) * 4).format == "unknown"


def test_webloc_xml_and_binary():
    shortcut = {"URL": "https://example.org/evidence"}
    assert identify_bytes(plistlib.dumps(shortcut), "a.webloc").format == "webloc"
    assert identify_bytes(plistlib.dumps(shortcut, fmt=plistlib.FMT_BINARY), "a.webloc").format == "webloc"
    assert identify_bytes(plistlib.dumps({"Name": "x"})).format == "xml"
    assert identify_bytes(plistlib.dumps({"Name": "x"}, fmt=plistlib.FMT_BINARY)).format == "unknown"


def test_plist_with_entity_declarations_is_not_expanded():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<plist><dict><key>URL</key><string>&b;</string></dict></plist>")
    assert identify_bytes(bomb, "a.webloc").format == "xml"


# --- extension mismatches -------------------------------------------------------------------------


def test_extensions_accept_the_formats_they_may_hold():
    """Office saves password-protected .docx as OLE files; every ISO media name opens any ISO media file."""
    encrypted = Identity("word", "office-encrypted", FORMATS["office-encrypted"][1], encrypted=True)
    assert extension_mismatch("a.docx", encrypted) is None and extension_mismatch("a.DOCX", encrypted) is None
    assert extension_mismatch("a.doc", encrypted) is not None
    jpeg = Identity("image", "jpeg", FORMATS["jpeg"][1])
    assert extension_mismatch("a.jpg", jpeg) is None and extension_mismatch("a.jpeg", jpeg) is None
    for fmt in ("mov", "mp4", "m4a"):
        assert extension_mismatch("clip.mov", Identity("video", fmt, FORMATS[fmt][1])) is None
    assert extension_mismatch("a.xyz", jpeg) is None  # an unknown extension promises nothing


def test_audio_only_identity():
    """What a file found to hold sound only becomes: the audio counterpart of its container."""
    def heard(fmt: str) -> tuple[str, str, str]:
        found = as_audio(Identity(FORMATS[fmt][0], fmt, FORMATS[fmt][1]))
        return found.kind, found.format, found.description

    assert heard("mp4") == ("audio", "m4a", "MPEG-4 audio (.m4a)")
    assert heard("webm") == ("audio", "webm", "WebM audio")
    assert heard("mkv") == ("audio", "mkv", "Matroska audio (.mka)")
    assert heard("3gp") == ("audio", "3gp", "3GP mobile audio")
    assert heard("wmv") == ("audio", "wma", "Windows Media audio (.wma)")
    assert heard("mp3") == ("audio", "mp3", "MP3 audio")  # already audio: unchanged


def test_pdf_named_docx_and_docx_named_pdf(office):
    pdf = identify_bytes(_pdf_bytes(), "evidence/witness.docx")
    assert extension_mismatch("evidence/witness.docx", pdf) == (
        "evidence/witness.docx is really a PDF, not a Word document (.docx). "
        "Rename it with the right extension or save it again as a Word document (.docx).")
    docx = identify_bytes(office["docx"], "evidence/witness.pdf")
    assert extension_mismatch("evidence/witness.pdf", docx) == (
        "evidence/witness.pdf is really a Word document (.docx), not a PDF. "
        "Rename it with the right extension or save it again as a PDF.")


def test_no_mismatch_within_a_family(media, office):
    mp4 = identify_path(media["clip.mp4"])
    assert extension_mismatch("clip.mov", mp4) is None
    assert extension_mismatch("clip.mp4", identify_path(media["clip.mov"])) is None
    assert extension_mismatch("clip.mp4", identify_path(media["sound.m4a"])) is None
    assert extension_mismatch("song.m4a", mp4) is None
    assert extension_mismatch("map.txt", identify_bytes(b"a,b\n1,2\n3,4\n", "map.txt")) is None
    assert extension_mismatch("photo.JPG", identify_bytes(b"\xff\xd8\xff\xe0" + bytes(100))) is None
    assert extension_mismatch("notes.xyz", identify_bytes(office["docx"])) is None
    assert extension_mismatch("empty.pdf", identify_bytes(b"")) is None


def test_encrypted_ooxml_is_not_a_mismatch_but_old_word_is():
    encrypted = build_cfb(ENCRYPTED_OOXML)
    assert extension_mismatch("report.docx", identify_bytes(encrypted, "report.docx")) is None
    assert extension_mismatch("report.xlsx", identify_bytes(encrypted, "report.xlsx")) is None
    old_word = identify_bytes(build_cfb({"WordDocument": word_fib(False)}), "report.docx")
    message = extension_mismatch("report.docx", old_word)
    assert message is not None and "an old-format Word document (.doc)" in message
    assert "not a Word document (.docx)" in message


def test_macro_enabled_named_docx_is_a_mismatch(office):
    docm = identify_bytes(office["docm"], "report.docx")
    assert "is really a macro-enabled Word document (.docm)" in extension_mismatch("report.docx", docm)


def test_articles():
    assert with_article("MP4 video") == "an MP4 video"
    assert with_article("PDF") == "a PDF"
    assert with_article("old-format Word document (.doc)") == "an old-format Word document (.doc)"
    assert with_article("Word document (.docx)") == "a Word document (.docx)"
    assert with_article("HEIC image") == "an HEIC image"


# --- never raises ---------------------------------------------------------------------------------


def test_empty_file():
    assert identify_bytes(b"", "x.pdf") == Identity("other", "empty", "empty file")


def test_random_bytes_never_raise():
    generator = random.Random(1234)
    prefixes = [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x00\x00\x00\x18ftypisom",
                b"\x00\x00\x00\x08moov", b"ID3\x04\x00", b"OggS", b"RIFF", b"\x1a\x45\xdf\xa3", b"bplist00",
                b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c", b"\xff\xfb", b"\xff\xf1",
                b"<?xml", b"{", b"BM"]
    for round_ in range(300):
        prefix = prefixes[round_ % len(prefixes)]
        data = prefix + generator.randbytes(generator.choice([0, 1, 7, 30, 100, 600, 5000, 20000]))
        identity = identify_bytes(data, generator.choice(["a.docx", "b.mp4", "c", "d.txt"]))
        assert identity.kind in KINDS and identity.format in FORMATS


def test_random_ole_directory_never_raises():
    generator = random.Random(99)
    valid = bytearray(build_cfb({"WordDocument": word_fib(False), "1Table": b"t"}))
    for _ in range(200):
        damaged = bytearray(valid)
        for _ in range(20):
            damaged[generator.randrange(0x1C, len(damaged))] = generator.randrange(256)
        assert identify_bytes(bytes(damaged), "a.doc").kind in KINDS


def test_truncated_zips_never_raise_and_keep_the_kind_while_they_can(office):
    data = office["docx"]
    for cut in (4, 30, 100, 1000, len(data) // 2, len(data) - 30, len(data) - 1):
        identity = identify_bytes(data[:cut], "report.docx")
        assert identity.kind in KINDS
    assert identify_bytes(data[:len(data) // 2], "x").format == "docx"  # from the local headers


def test_zip_with_a_garbage_central_directory(office):
    data = bytearray(office["pptx"])
    directory = data.rfind(b"PK\x01\x02", 0, len(data) - 22)
    start = data.find(b"PK\x01\x02")
    data[start:directory + 46] = os.urandom(directory + 46 - start)
    identity = identify_bytes(bytes(data), "talk.pptx")
    assert identity.kind == "powerpoint"
    end_record = data.rfind(b"PK\x05\x06")
    data[end_record + 12:end_record + 20] = b"\xff" * 8  # central directory size and offset beyond the file
    assert identify_bytes(bytes(data)).kind == "powerpoint"


def test_a_stream_that_fails_is_unknown_not_an_error():
    class Failing(io.BytesIO):
        def read(self, *args):
            raise OSError("device went away")

    assert identify(Failing(b"x"), 10, "a.pdf").format == "unknown"


# --- the shared corpus ----------------------------------------------------------------------------

#: Kinds named in SOURCES.md -> kinds here.
SOURCE_KINDS = {"docx": "word", "pptx": "powerpoint"}
#: Corpus files whose listed kind is not what their bytes are, and why.
CORPUS_EXCEPTIONS = {
    # an Excel workbook listed as "other" in SOURCES.md
    "scanny-python-pptx/features/steps/test_files/shp-embedded-xlsx.xlsx": "spreadsheet",
    # OpenDocument text is a word-processing document here; EPUB is "other" by design
    "py-pdf-sample-files/002-trivial-libre-office-writer/source.odt": "word",
    # 42 bytes of English placeholder text named .mp4
    "scanny-python-pptx/tests/test_files/dummy.mp4": "text",
    # 0 bytes: an empty file is "other"/"empty" whatever its name
    "quodlibet-mutagen/tests/data/emptyfile.mp3": "other",
}


def _corpus_kinds(corpus: Path) -> dict[str, str]:
    listed: dict[str, str] = {}
    prefix = None
    for line in (corpus / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\S+)/(\S+)\s*$", line)
        if heading:
            prefix = f"{heading.group(1)}-{heading.group(2)}"
            continue
        entry = re.match(r"^\s+- `([^`]+)`(?: @ `[0-9a-f]+`)? \((\w+)\)\s*$", line)
        if entry and prefix:
            listed[f"{prefix}/{entry.group(1)}"] = entry.group(2)
    return listed


def test_corpus_kinds_match_sources(corpus):
    listed = _corpus_kinds(corpus)
    # Folders with a SOURCES.md of their own (wild/, faces/) are listed there, not in the corpus's.
    own_lists = {folder.name for folder in corpus.iterdir() if (folder / "SOURCES.md").is_file()}
    files = sorted(str(p.relative_to(corpus)) for p in corpus.rglob("*")
                   if p.is_file() and p.name != "SOURCES.md" and p.relative_to(corpus).parts[0] not in own_lists)
    assert len(listed) >= 100 and set(files) == set(listed)
    wrong = {}
    for relative in files:
        identity = identify_path(corpus / relative)
        expected = CORPUS_EXCEPTIONS.get(relative, SOURCE_KINDS.get(listed[relative], listed[relative]))
        if identity.kind != expected:
            wrong[relative] = (identity.kind, identity.format, expected)
    assert wrong == {}


def test_corpus_details(corpus):
    mutagen = corpus / "quodlibet-mutagen/tests/data"
    assert identify_path(mutagen / "no-tags.3g2").kind == "audio"  # the movie box is in the head: tracks decide
    assert identify_path(mutagen / "64bit.mp4").format == "mov"  # a movie atom with a 64-bit size, no ftyp
    assert identify_path(mutagen / "silence-44-s-mpeg25.mp3").format == "mp3"
    assert identify_path(mutagen / "sample.oggtheora").format == "ogv"
    pptm = identify_path(corpus / "scanny-python-pptx/features/steps/test_files/act-props.pptm")
    assert (pptm.format, pptm.macro_enabled) == ("pptm", True)
    # the mimetype project keeps only the first 4 KB of its pptx: the local headers still say PowerPoint
    assert identify_path(corpus / "gabriel-vasile-mimetype/testdata/pptx.pptx").format == "pptx"
    assert identify_path(corpus / "gabriel-vasile-mimetype/testdata/asf.asf").format == "wmv"
    assert identify_path(corpus / "quodlibet-mutagen/tests/data/silence-1.wma").format == "wma"
    assert identify_path(corpus / "mindeng-nom-exif/testdata/invalid-gps").format == "heic"


def test_promised_kind_comes_from_the_name_alone() -> None:
    from portfolio_check.extract.identify import promised_kind

    assert promised_kind("evidence.zip!/week3/Call sheet.DOCX") == "word"
    assert promised_kind("clips/site walk.mov") == "video"
    assert promised_kind("reflection.m4a") == "audio"
    assert promised_kind("Schedule.pdf") == "pdf"
    assert promised_kind("README") is None and promised_kind("archive.unknownext") is None
