"""PDF, picture, text and shortcut extraction, on files built here and on the shared corpus."""

from __future__ import annotations

import io
import plistlib
import random
import signal
import struct
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfWriter

from portfolio_check.extract import documents
from portfolio_check.extract.documents import (
    extract_image,
    extract_link,
    extract_pdf,
    extract_text,
    image_thumbnail,
)
from portfolio_check.extract.model import (
    EXTERNAL_LINK,
    FILE_DAMAGED,
    FILE_EMPTY,
    FILE_ENCRYPTED,
    FILE_PROTECTED,
    FILE_TRUNCATED,
    FILE_UNREADABLE,
    Extraction,
    ExtractionProblem,
)

#: No single file may take longer than this.
SECONDS_PER_FILE = 5


@contextmanager
def time_limit(seconds: int = SECONDS_PER_FILE) -> Iterator[None]:
    """Fail a test instead of hanging it when an extractor loops."""
    def expire(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(extractor, data: bytes) -> Extraction:
    with time_limit():
        return extractor(io.BytesIO(data), len(data))


def problem(extractor, data: bytes) -> ExtractionProblem:
    with pytest.raises(ExtractionProblem) as caught, time_limit():
        extractor(io.BytesIO(data), len(data))
    return caught.value


# --------------------------------------------------------------------------- PDF builders


def pdf_from_objects(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF with a correct cross-reference table around hand-written objects."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def stream_object(content: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def text_pdf(*page_texts: str) -> bytes:
    """One page per text, each drawn with Helvetica."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: FONT}
    kids = []
    for index, text in enumerate(page_texts):
        page, content = 10 + 2 * index, 11 + 2 * index
        kids.append(b"%d 0 R" % page)
        objects[page] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        objects[content] = stream_object(b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text.encode("latin-1"))
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    return pdf_from_objects(objects)


def blank_pdf(pages: int = 1) -> PdfWriter:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    return writer


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --------------------------------------------------------------------------- PDF


def test_pdf_with_text_gives_its_text():
    data = text_pdf("Signed by the employer", "Second page")
    result = run(extract_pdf, data)
    assert "Signed by the employer" in result.text
    assert "Second page" in result.text
    meta = result.metadata
    assert meta["pages"] == 2
    assert meta["has_text_layer"] is True
    assert meta["image_only"] is False
    assert meta["encrypted"] is False
    assert "opens_with_empty_password" not in meta
    assert meta["form_fields"] == 0 and meta["signature_fields"] == []


def test_pdf_properties_and_dates_are_read():
    writer = blank_pdf()
    writer.add_metadata({
        "/Title": "Site survey\x00", "/Author": " Sam  Apprentice ", "/Producer": "Word",
        "/Creator": "Microsoft Word", "/CreationDate": "D:20240131093000+01'00'", "/ModDate": "not a date",
    })
    meta = run(extract_pdf, written(writer)).metadata
    assert meta["title"] == "Site survey"
    assert meta["author"] == "Sam Apprentice"
    assert meta["producer"] == "Word"
    assert meta["creator"] == "Microsoft Word"
    assert meta["created"] == "2024-01-31T09:30:00+01:00"
    assert meta["modified"] is None


def test_blank_pdf_has_pages_and_no_text():
    result = run(extract_pdf, written(blank_pdf(3)))
    assert result.metadata["pages"] == 3
    assert result.metadata["has_text_layer"] is False
    assert result.metadata["image_only"] is False  # nothing drawn at all: not a scan
    assert result.text == ""


def test_text_is_read_from_the_first_fifty_pages_only():
    result = run(extract_pdf, text_pdf(*(f"Page {n} text" for n in range(1, 61))))
    assert result.metadata["pages"] == 60
    assert result.metadata["text_pages_read"] == 50
    assert "Page 50 text" in result.text
    assert "Page 51 text" not in result.text


def test_pdf_of_a_picture_is_image_only(tmp_path: Path):
    path = tmp_path / "scan.pdf"
    Image.new("RGB", (200, 300), "white").save(path, "PDF")
    meta = run(extract_pdf, path.read_bytes()).metadata
    assert meta["pages"] == 1
    assert meta["has_text_layer"] is False
    assert meta["image_only"] is True


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_pdf_with_a_user_password_is_encrypted(algorithm: str):
    writer = blank_pdf()
    writer.encrypt(user_password="secret", owner_password="owner", algorithm=algorithm)
    found = problem(extract_pdf, written(writer))
    assert found.code == FILE_ENCRYPTED
    assert "password" in found.message and "assessor" in found.message


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_pdf_with_only_an_owner_password_is_read(algorithm: str):
    writer = PdfWriter(clone_from=io.BytesIO(text_pdf("Restricted but readable")))
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    result = run(extract_pdf, written(writer))
    assert result.metadata["encrypted"] is True
    assert result.metadata["opens_with_empty_password"] is True
    assert "Restricted but readable" in result.text


def signature_form_pdf() -> bytes:
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 5 0 R 6 0 R] /SigFlags 3 >> >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R 5 0 R 8 0 R 9 0 R] >>",
        4: b"<< /FT /Sig /T (Employer) /V 7 0 R /Type /Annot /Subtype /Widget /Rect [0 0 100 20] /P 3 0 R >>",
        5: b"<< /FT /Sig /T (Apprentice) /Type /Annot /Subtype /Widget /Rect [0 30 100 50] /P 3 0 R >>",
        # A text field with two named children: they are the fields, the parent is not counted.
        6: b"<< /FT /Tx /T (Address) /Kids [8 0 R 9 0 R] >>",
        7: b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /Contents <00> >>",
        8: b"<< /T (Line1) /Parent 6 0 R /Type /Annot /Subtype /Widget /Rect [0 60 100 80] >>",
        9: b"<< /T (Line2) /Parent 6 0 R /Type /Annot /Subtype /Widget /Rect [0 90 100 110] >>",
    }
    return pdf_from_objects(objects)


def test_signature_fields_say_whether_they_are_signed():
    meta = run(extract_pdf, signature_form_pdf()).metadata
    assert meta["signature_fields"] == [
        {"name": "Employer", "signed": True},
        {"name": "Apprentice", "signed": False},
    ]
    assert meta["form_fields"] == 4


def test_pdf_cut_off_in_its_content_is_read_and_reported_cut_off():
    """An upload cut short: what is left is read (viewers rebuild the index) and the file is an error."""
    data = text_pdf("page one", "page two", "page three")
    for cut in (len(data) * 2 // 3, data.find(b"14 0 obj")):  # inside the last page's content; before its page
        result = run(extract_pdf, data[:cut])
        assert [p.code for p in result.problems] == [FILE_TRUNCATED], cut
        assert "page one" in result.text and "page three" not in result.text
        assert "cut off" in result.problems[0].message
    assert run(extract_pdf, data[:data.find(b"14 0 obj")]).metadata["pages"] == 2


@pytest.mark.parametrize("damage", ["no %%EOF", "cut in its index", "no startxref", "startxref elsewhere"])
def test_pdf_readers_repair_is_readable_with_a_damage_warning(damage: str):
    """What pdf.js, poppler and qpdf open by rebuilding the cross-reference table: every page, a warning."""
    data = text_pdf("page one", "page two")
    data = {"no %%EOF": data[:data.rindex(b"%%EOF")],
            "cut in its index": data[:data.index(b"xref") + 40],
            "no startxref": data[:data.rindex(b"startxref")],
            "startxref elsewhere": data.replace(b"startxref\n", b"startxref\n1", 1)}[damage]
    result = run(extract_pdf, data)
    assert result.metadata["pages"] == 2 and result.text == "page one\npage two"
    assert [p.code for p in result.problems] == [FILE_DAMAGED]
    assert "save or print it to PDF again" in result.problems[0].fix
    assert result.metadata["damaged"] is True


def test_undamaged_pdf_has_no_damage_warning():
    result = run(extract_pdf, text_pdf("fine"))
    assert result.problems == [] and "damaged" not in result.metadata


@pytest.mark.parametrize("handler", [b"MicrosoftIRMServices", b"Adobe.APS", b"FOPN_foweb"])
def test_rights_managed_pdf_is_protected(handler: bytes):
    """A security handler other than the standard password one: only its rights server opens the file."""
    data = text_pdf("secret").replace(b"/Root 1 0 R >>", b"/Root 1 0 R /Encrypt << /Filter /%s /V 2 >> "
                                                          b"/ID [<00> <00>] >>" % handler)
    found = problem(extract_pdf, data)
    assert found.code == FILE_PROTECTED and handler.decode() in found.message


def test_broken_cross_reference_table_is_repaired_and_reported():
    """A wrong startxref is what viewers repair silently; pypdf (strict=False) rebuilds the table."""
    data = text_pdf("Still readable")
    data = data.replace(b"startxref\n", b"startxref\n9", 1)  # offset now points past the end
    result = run(extract_pdf, data)
    assert "Still readable" in result.text
    assert [p.code for p in result.problems] == [FILE_DAMAGED]


def test_garbled_cross_reference_and_objects_are_unreadable():
    data = bytearray(text_pdf("Lost"))
    start = data.index(b"1 0 obj")
    data[start:-30] = b"\x00" * (len(data) - 30 - start)  # everything but the tail is zeroed
    assert problem(extract_pdf, bytes(data)).code == FILE_UNREADABLE


def test_word_document_named_pdf_is_unreadable():
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    found = problem(extract_pdf, out.getvalue())
    assert found.code == FILE_UNREADABLE


def test_garbage_and_empty_pdfs():
    assert problem(extract_pdf, b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"%%EOF").code == FILE_UNREADABLE
    assert problem(extract_pdf, b"").code == FILE_EMPTY


@pytest.mark.parametrize("count", [b"1", b"200000"])
@pytest.mark.parametrize("kids", [b"[2 0 R]", b"[2 0 R 2 0 R]", b"[4 0 R]", b"[3 0 R 2 0 R]"])
def test_looping_page_tree_is_unreadable_and_ends_quickly(kids: bytes, count: bytes):
    """pypdf detects the loop when it walks the tree; the bounded walk (over 100,000 pages) too."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids %s /Count %s >>" % (kids, count),
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        4: b"<< /Type /Pages /Parent 2 0 R /Kids [3 0 R 2 0 R] /Count 1 >>",
    }
    started = time.monotonic()
    assert problem(extract_pdf, pdf_from_objects(objects)).code == FILE_UNREADABLE
    assert time.monotonic() - started < 2


def test_page_tree_claiming_over_100000_pages_is_counted_not_walked():
    """400 x 400 references to one page: the claimed count is reported, text comes from 50 pages."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        # Resources are inherited from the root of the page tree.
        2: b"<< /Type /Pages /Kids [%s] /Count 160000 /Resources << /Font << /F1 5 0 R >> >> >>"
        % b" ".join([b"4 0 R"] * 400),
        4: b"<< /Type /Pages /Parent 2 0 R /Kids [%s] /Count 400 >>" % b" ".join([b"3 0 R"] * 400),
        3: b"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 612 792] /Contents 6 0 R >>",
        5: FONT,
        6: stream_object(b"BT /F1 12 Tf 72 720 Td (Same page again) Tj ET"),
    }
    started = time.monotonic()
    result = run(extract_pdf, pdf_from_objects(objects))
    assert time.monotonic() - started < 3
    assert result.metadata["pages"] == 160000
    assert result.metadata["text_pages_read"] == 50
    assert result.text.count("Same page again") == 50


@pytest.mark.parametrize("spool_limit", [64 * 1024**2, 10])
def test_pdf_inside_a_zip_is_read_through_the_member_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spool_limit: int,
):
    """Archive members are copied for random access: to memory, or to a temporary file when large."""
    monkeypatch.setattr(documents.pdf, "SPOOL_IN_MEMORY_BYTES", spool_limit)
    archive = tmp_path / "portfolio.zip"
    data = text_pdf("Inside an archive")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("evidence.pdf", data)
    with zipfile.ZipFile(archive) as zipped, zipped.open("evidence.pdf") as member, time_limit():
        result = extract_pdf(member, len(data))
    assert "Inside an archive" in result.text


# --------------------------------------------------------------------------- pictures


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 80D"
    exif[0x0132] = "2024:05:01 12:00:00"
    exif.get_ifd(0x8769)[0x9003] = "2023:07:09 20:36:33"
    exif.get_ifd(0x8769)[0x9011] = "+01:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 30.0, 0.0), "W", (0.0, 7.0, 0.0)
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "navy").save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_jpeg_exif_gives_when_what_camera_and_location():
    meta = run(extract_image, jpeg_with_exif()).metadata
    assert meta["width"] == 640 and meta["height"] == 480
    assert meta["format"] == "JPEG"
    assert meta["taken"] == "2023-07-09T20:36:33+01:00"
    assert meta["camera"] == "Canon EOS 80D"  # the make is not repeated
    assert meta["has_gps"] is True
    assert meta["megapixels"] == 0.31


def test_exif_without_date_taken_falls_back_to_date_time():
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "HUAWEI", "P30", "2022:02:02 08:09:10"
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "JPEG", exif=exif)
    meta = run(extract_image, out.getvalue()).metadata
    assert meta["taken"] == "2022-02-02T08:09:10"
    assert meta["camera"] == "HUAWEI P30"
    assert meta["has_gps"] is False


@pytest.mark.parametrize("file_format", ["PNG", "GIF", "TIFF", "WEBP", "BMP"])
def test_common_formats_give_their_size(file_format: str):
    out = io.BytesIO()
    Image.new("RGB", (123, 45), "red").save(out, file_format)
    meta = run(extract_image, out.getvalue()).metadata
    assert (meta["width"], meta["height"], meta["format"]) == (123, 45, file_format)
    assert meta["taken"] is None and meta["camera"] is None and meta["has_gps"] is False


class Decoded(BaseException):
    """Raised by a patched ``load()``: not an Exception, so no extractor can swallow it."""


@pytest.mark.parametrize("file_format", ["PNG", "JPEG", "GIF", "TIFF", "WEBP"])
def test_pictures_are_measured_without_decoding_their_pixels(monkeypatch: pytest.MonkeyPatch, file_format: str):
    from PIL import ImageFile

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(out, file_format, exif=Image.Exif())

    def refuse(self):
        raise Decoded(file_format)

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    monkeypatch.setattr(Image.Image, "load", refuse)
    meta = run(extract_image, out.getvalue()).metadata
    assert (meta["width"], meta["height"]) == (64, 48)


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def huge_png() -> bytes:
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x00" * 300)  # one row: the rest is missing
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", pixels) + png_chunk(b"IEND", b"")


def test_png_claiming_ten_billion_pixels_is_measured_not_decoded():
    started = time.monotonic()
    meta = run(extract_image, huge_png()).metadata
    assert (meta["width"], meta["height"]) == (100_000, 100_000)
    assert meta["megapixels"] == 10_000.0
    assert time.monotonic() - started < 1
    assert image_thumbnail(io.BytesIO(huge_png()), len(huge_png())) is None


def test_truncated_jpeg():
    data = jpeg_with_exif()
    # Cut inside the header: nothing to read.
    assert problem(extract_image, data[:300]).code == FILE_UNREADABLE
    # Cut inside the picture data: the header still gives the size, but no thumbnail can be made.
    cut = data[: len(data) - 200]
    result = run(extract_image, cut)
    assert result.metadata["width"] == 640 and result.metadata["truncated"] is True
    assert [p.code for p in result.problems] == [FILE_TRUNCATED]
    assert image_thumbnail(io.BytesIO(cut), len(cut)) is None


def photo(progressive: bool = False, size: tuple[int, int] = (400, 300)) -> bytes:
    """A JPEG with detail (so its picture data is long), as a camera or phone writes it."""
    image = Image.effect_noise(size, 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, progressive=progressive)
    return out.getvalue()


@pytest.mark.parametrize("progressive", [False, True])
def test_jpeg_cut_before_its_end_marker_is_cut_off(progressive: bool):
    data = photo(progressive)
    assert run(extract_image, data).problems == []
    for cut in (data[:len(data) * 6 // 10], data[:-2]):  # cut at 60 %, or only its end marker lost
        assert [p.code for p in run(extract_image, cut).problems] == [FILE_TRUNCATED]
    # A copy that stopped part-way into a file already at its full size: the end is zeros.
    zeroed = data[:len(data) // 2] + bytes(len(data) - len(data) // 2)
    assert [p.code for p in run(extract_image, zeroed).problems] == [FILE_TRUNCATED]


def test_jpeg_with_data_after_its_end_marker_is_complete():
    """Motion photos append their video, makers a trailer, some writers zeros: the picture is whole."""
    data = photo()
    for after in (random.Random(3).randbytes(100_000),  # an appended video
                  b"SEFH" + bytes(300) + b"SEFT", bytes(5000), b"<x:xmpmeta>" * 9000):
        assert run(extract_image, data + after).problems == []


def test_png_cut_off_and_png_with_wrong_checksums():
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0110] = "Pixel 7"
    Image.effect_noise((200, 200), 50).convert("RGB").save(out, "PNG", exif=exif)
    data = out.getvalue()
    assert run(extract_image, data).problems == []
    assert [p.code for p in run(extract_image, data[:len(data) // 2]).problems] == [FILE_TRUNCATED]
    # A phone's eXIf chunk with a wrong checksum: Pillow refuses the file, viewers show it.
    position = data.index(b"eXIf")
    length = struct.unpack(">I", data[position - 4:position])[0]
    crc = position + 4 + length
    broken = data[:crc] + bytes(4) + data[crc + 4:]
    with pytest.raises((OSError, SyntaxError)):  # Pillow: "broken PNG file (bad header checksum)"
        Image.open(io.BytesIO(broken))
    result = run(extract_image, broken)
    assert [p.code for p in result.problems] == [FILE_DAMAGED]
    assert (result.metadata["width"], result.metadata["camera"]) == (200, "Pixel 7")
    # Wrong checksums and no picture data at all is not a picture.
    assert problem(extract_image, broken[:broken.index(b"IDAT") - 4]).code == FILE_UNREADABLE


@pytest.mark.parametrize(("latitude", "longitude", "located"), [
    ((51.0, 30.0, 0.0), (0.0, 7.0, 0.0), True),
    ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), False),  # "no fix"
    ((4294967295.0, 0.0, 0.0), (1.0, 0.0, 0.0), False),  # a placeholder out of range
    ((), (), False),  # tags present, values empty
])
def test_a_gps_block_counts_only_with_a_real_position(latitude: tuple, longitude: tuple, located: bool):
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", latitude, "E", longitude
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(out, "JPEG", exif=exif)
    assert run(extract_image, out.getvalue()).metadata["has_gps"] is located


def test_not_a_picture_and_empty():
    assert problem(extract_image, b"This is text, not a picture" * 10).code == FILE_UNREADABLE
    assert problem(extract_image, b"").code == FILE_EMPTY


def test_thumbnail_is_small_and_decodable():
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), "green").save(out, "JPEG")
    mime, data = image_thumbnail(io.BytesIO(out.getvalue()), len(out.getvalue()))
    assert mime == "image/jpeg"
    with Image.open(io.BytesIO(data)) as thumb:
        assert max(thumb.size) == 160 and thumb.size == (160, 107)

    rotated = Image.Exif()
    rotated[0x0112] = 6  # shot in portrait: the thumbnail is turned upright
    out = io.BytesIO()
    Image.new("RGB", (300, 200)).save(out, "JPEG", exif=rotated)
    mime, data = image_thumbnail(io.BytesIO(out.getvalue()), len(out.getvalue()))
    with Image.open(io.BytesIO(data)) as thumb:
        assert thumb.size == (107, 160)

    out = io.BytesIO()
    Image.new("RGBA", (400, 100), (0, 0, 0, 0)).save(out, "PNG")
    mime, data = image_thumbnail(io.BytesIO(out.getvalue()), len(out.getvalue()), max_side=80)
    assert mime == "image/png"
    with Image.open(io.BytesIO(data)) as thumb:
        assert thumb.size == (80, 20) and thumb.mode == "RGBA"


def heif_box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def full_box(kind: bytes, version: int, payload: bytes) -> bytes:
    return heif_box(kind, bytes([version, 0, 0, 0]) + payload)


#: An HEVC decoder configuration record: version 1, NAL unit lengths of 4 bytes (lengthSizeMinusOne 3).
HVCC = bytes([1]) + bytes(20) + bytes([0xF3, 0])


def heif_file(primary: int | None = 2, items: tuple[bytes, bytes] = (b"hvc1", b"hvc1"), hvcc: bool = True,
              extra_properties: bytes = b"", primary_extra: bytes = b"", data_length: int = 64,
              claimed_length: int | None = None) -> bytes:
    """A small HEIF: item 1 a 320x240 thumbnail, item 2 the 4032x3024 picture, each with its data.

    Property indexes: 1 and 2 the two ``ispe``, 3 the ``hvcC`` (when given), 4 on whatever
    ``extra_properties`` holds (associated with the primary when ``primary_extra`` lists them).
    """
    ispe_thumb = full_box(b"ispe", 0, struct.pack(">II", 320, 240))
    ispe_main = full_box(b"ispe", 0, struct.pack(">II", 4032, 3024))
    ipco = heif_box(b"ipco", ispe_thumb + ispe_main + (heif_box(b"hvcC", HVCC) if hvcc else b"") + extra_properties)
    config = [0x83] if hvcc else []
    first = bytes([0x81, *config])
    second = bytes([0x82, *config]) + primary_extra
    ipma = full_box(b"ipma", 0, struct.pack(">IH", 2, 1) + bytes([len(first)]) + first
                    + struct.pack(">H", 2) + bytes([len(second)]) + second)
    infe = b"".join(full_box(b"infe", 2, struct.pack(">HH4s", item, 0, kind) + b"\x00")
                    for item, kind in zip((1, 2), items, strict=True))
    iinf = full_box(b"iinf", 0, struct.pack(">H", 2) + infe)
    nal = struct.pack(">I", data_length - 4) + b"\x26\x01" + bytes(data_length - 6)  # an IDR slice

    def assemble(mdat_at: int) -> bytes:
        length = claimed_length if claimed_length is not None else data_length
        iloc = full_box(b"iloc", 0, bytes([0x44, 0x00]) + struct.pack(">H", 2)
                        + struct.pack(">HHHII", 1, 0, 1, mdat_at + 8, data_length)
                        + struct.pack(">HHHII", 2, 0, 1, mdat_at + 8 + data_length, length))
        pitm = full_box(b"pitm", 0, struct.pack(">H", primary)) if primary is not None else b""
        meta = full_box(b"meta", 0, pitm + iinf + iloc + heif_box(b"iprp", ipco + ipma))
        return heif_box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + meta

    head = assemble(0)
    head = assemble(len(head))  # the same length: now with the right offsets
    return head + heif_box(b"mdat", nal + nal)


def test_heif_size_is_read_from_the_primary_item():
    result = run(extract_image, heif_file()).metadata
    assert (result["width"], result["height"], result["format"]) == (4032, 3024, "HEIF")
    # Without any ispe the picture cannot be measured.
    bare = heif_box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + full_box(b"meta", 0, b"")
    assert problem(extract_image, bare).code == FILE_UNREADABLE


def test_heif_size_is_after_the_clean_aperture_crop():
    """A clap box crops the coded picture: viewers (and libheif) show the cropped size."""
    clap = heif_box(b"clap", struct.pack(">8I", 4000, 1, 3000, 1, 0, 1, 0, 1))
    result = run(extract_image, heif_file(extra_properties=clap, primary_extra=bytes([0x84]))).metadata
    assert (result["width"], result["height"]) == (4000, 3000)


@pytest.mark.parametrize("damage", [
    {"primary": 7},  # the primary item does not exist: libheif's "no such item"
    {"hvcc": False},  # no decoder configuration
    {"items": (b"hvc1", b"junk")},  # a primary of an unknown kind
    {"claimed_length": 10_000},  # its data lies past the end of the file (cut off)
])
def test_heif_that_no_decoder_can_start_on_is_unreadable(damage: dict[str, Any]):
    assert problem(extract_image, heif_file(**damage)).code == FILE_UNREADABLE


def test_heif_without_a_primary_item_is_unreadable():
    """pitm is mandatory: libheif stops at "No pitm box", and exiftool finds no picture to measure."""
    assert problem(extract_image, heif_file(primary=None, items=(b"Exif", b"hvc1"))).code == FILE_UNREADABLE


# --------------------------------------------------------------------------- text


def test_utf8_text():
    result = run(extract_text, "Witness statement – signed by the employer ✓\nline two\n".encode())
    assert result.metadata["encoding"] == "utf-8"
    assert result.metadata["lines"] == 2
    assert result.text.startswith("Witness statement – signed")
    assert result.metadata["characters"] == len(result.text)


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_utf16_with_bom(encoding: str, bom: bytes):
    result = run(extract_text, bom + "Name,Date\nSam,01/02/2024".encode(encoding))
    assert result.metadata["encoding"] == encoding
    assert result.text == "Name,Date\nSam,01/02/2024"
    assert result.metadata["lines"] == 2


def test_windows_1252_text():
    data = "Cost £250 – the employer said “well done”".encode("cp1252")
    result = run(extract_text, data)
    assert result.metadata["encoding"] == "cp1252"
    assert result.text == "Cost £250 – the employer said “well done”"


def test_rtf_gives_its_words():
    rtf = (
        r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Helvetica;}}{\colortbl;\red0\green0\blue0;}"
        r"{\*\generator Msftedit 5.41;}{\info{\author Hidden Author}}"
        r"\pard\f0\fs24 I confirm this is the apprentice\rquote s own work.\par "
        r"Signed: J\'f6rg M\u252?ller, \b employer\b0\par"
        r"{\field{\*\fldinst HYPERLINK \"https://example.org\"}{\fldrslt link text}}\par}"
    )
    result = run(extract_text, rtf.encode("ascii"))
    assert result.metadata["markup"] == "rtf"
    assert "I confirm this is the apprentice\u2019s own work.\n" in result.text
    assert "Signed: Jörg Müller, employer" in result.text
    assert "link text" in result.text
    for hidden in ("Helvetica", "Msftedit", "Hidden Author", "HYPERLINK", "fs24", "\\"):
        assert hidden not in result.text


def test_html_script_and_style_are_dropped():
    html = (
        "<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<p>Reviewed &amp; signed by the employer</p><script>var secret = 'do not show';</script>"
        "<div>Second&nbsp;paragraph</div></body></html>"
    )
    result = run(extract_text, html.encode())
    assert result.metadata["markup"] == "html"
    assert "Reviewed & signed by the employer" in result.text
    assert "Second paragraph" in result.text  # spacing is tidied
    assert "secret" not in result.text and "color" not in result.text and "<" not in result.text


def test_binary_garbage_never_raises():
    data = bytes(range(256)) * 100
    result = run(extract_text, data)
    assert result.metadata["encoding"] == "cp1252"
    assert len(result.text) == len(data)


def test_large_text_is_read_in_part():
    line = "é" * 99 + "\n"  # two bytes per é: the 4 MB cut may fall inside a character
    data = (line * 30_000).encode()
    result = run(extract_text, data)
    assert result.metadata["encoding"] == "utf-8"
    assert result.metadata["truncated"] is True
    assert len(result.text) == 1_000_000
    assert "\ufffd" not in result.text


def test_empty_text():
    assert problem(extract_text, b"").code == FILE_EMPTY


# --------------------------------------------------------------------------- shortcuts


URL = "https://example.sharepoint.com/sites/evidence/Report.docx"


def test_windows_url_shortcut():
    data = (
        "[{000214A0-0000-0000-C000-000000000046}]\r\nProp3=19,11\r\n"
        f"[InternetShortcut]\r\nIDList=\r\nURL={URL}\r\n"
    ).encode()
    result = run(extract_link, data)
    assert result.metadata == {"url": URL}
    [found] = result.problems
    assert found.code == EXTERNAL_LINK
    assert found.message.startswith(f"This file is a shortcut to {URL};")


@pytest.mark.parametrize("plist_format", [plistlib.FMT_XML, plistlib.FMT_BINARY])
def test_webloc_shortcut(plist_format):
    data = plistlib.dumps({"URL": URL}, fmt=plist_format)
    result = run(extract_link, data)
    assert result.metadata["url"] == URL
    assert result.problems[0].code == EXTERNAL_LINK


@pytest.mark.parametrize("data", [
    b"[InternetShortcut]\r\nIconIndex=0\r\n",
    plistlib.dumps({"Other": "x"}),
    b"<?xml version='1.0'?><!DOCTYPE plist [<!ENTITY a 'https://x'>]>"
    b"<plist><dict><key>URL</key><string>&a;</string></dict></plist>",  # entities are refused
    b"\x00\x01garbage",
])
def test_shortcut_without_an_address_is_unreadable(data: bytes):
    assert problem(extract_link, data).code == FILE_UNREADABLE


# --------------------------------------------------------------------------- corpus


def corpus_files(root: Path, patterns: list[str]) -> list[Path]:
    return sorted({path for pattern in patterns for path in root.glob(pattern) if path.is_file()})


def extract_file(extractor, path: Path) -> Extraction | ExtractionProblem:
    """Extract one corpus file; only ExtractionProblem may come out, within the time limit."""
    with path.open("rb") as stream, time_limit():
        try:
            return extractor(stream, path.stat().st_size)
        except ExtractionProblem as found:
            return found


def test_every_corpus_pdf_is_read_or_refused_properly(corpus: Path):
    files = corpus_files(corpus, [
        "py-pdf-sample-files/**/*.pdf", "py-pdf-pypdf/resources/**/*.pdf",
        "gabriel-vasile-mimetype/testdata/pdf.pdf",
    ])
    assert len(files) >= 25
    results = {path.name: extract_file(extract_pdf, path) for path in files}

    four_pages = results["pdflatex-4-pages.pdf"].metadata
    assert four_pages["pages"] == 4 and four_pages["has_text_layer"] is True
    assert four_pages["created"] == "2022-04-03T19:59:45+02:00"
    for name in ("libreoffice-writer-password.pdf", "r6-user-password.pdf", "r2-user-password.pdf",
                 "r4-aes-user-password.pdf", "r6-both-passwords.pdf"):
        assert isinstance(results[name], ExtractionProblem) and results[name].code == FILE_ENCRYPTED, name
    for name in ("r4-owner-password.pdf", "r2-empty-password.pdf", "r6-empty-password.pdf"):
        meta = results[name].metadata
        assert meta["encrypted"] is True and meta["opens_with_empty_password"] is True, name
        assert meta["pages"] == 1 and meta["has_text_layer"] is True, name
    assert results["pdflatex-forms.pdf"].metadata["form_fields"] == 3
    assert results["libreoffice-form.pdf"].metadata["form_fields"] == 8
    images = results["imagemagick-images.pdf"].metadata
    assert images["image_only"] is True and images["pages"] == 6
    assert results["multicolumn.pdf"].metadata["image_only"] is False
    # Its objects 79-174 (the page tree among them) are zeroed out in the file.
    assert results["unreadablemetadata.pdf"].code == FILE_UNREADABLE


def test_every_corpus_picture_is_read_or_refused_properly(corpus: Path):
    files = corpus_files(corpus, [
        "mindeng-nom-exif/testdata/*", "python-openxml-python-docx/features/steps/test_files/*.jpg",
        "python-openxml-python-docx/tests/test_files/300-dpi.TIF", "Zulko-moviepy/media/vacation_2017.jpg",
        "gabriel-vasile-mimetype/testdata/*.heic", "gabriel-vasile-mimetype/testdata/*.heif",
        "gabriel-vasile-mimetype/testdata/*.webp", "gabriel-vasile-mimetype/testdata/*.png",
    ])
    assert len(files) >= 20
    results = {}
    for path in files:
        results[path.name] = extract_file(extract_image, path)
        with path.open("rb") as stream, time_limit():
            image_thumbnail(stream, path.stat().st_size)  # must not raise

    court = results["court-exif.jpg"].metadata
    assert court["camera"] == "NIKON CORPORATION NIKON D2H"
    assert court["taken"] == "2003-11-23T18:07:37" and court["has_gps"] is True
    hp = results["jpeg420exif.jpg"].metadata
    assert hp["camera"] == "Hewlett-Packard Company HP PhotoSmart 715"
    assert hp["taken"] == "2001-10-02T14:57:31" and hp["has_gps"] is False
    vacation = results["vacation_2017.jpg"].metadata
    assert vacation["camera"] == "SAMSUNG SM-J320P" and vacation["has_gps"] is True
    assert results["endless_loop.jpg"].metadata["camera"] == "Canon EOS 1000D"
    assert results["broken.jpg"].metadata["taken"] == "2014-09-21T15:51:22"
    assert results["300-dpi.TIF"].metadata["width"] == 2464
    heic = results["heic.single.heic"].metadata
    assert (heic["width"], heic["height"]) == (4032, 3024)
    assert heic["camera"] == "Apple iPad Pro (10.5-inch)" and heic["taken"] == "2017-09-27T10:40:47"
    one_entry = results["exif-one-entry.heic"].metadata
    assert (one_entry["width"], one_entry["height"]) == (3674, 5500)
    # A box claiming an enormous size; and an iPhone HEIC whose picture data lies past the end.
    assert results["oom_large_box.heic"].code == FILE_UNREADABLE
    assert results["invalid-gps"].code == FILE_UNREADABLE
    # Videos handed to the picture extractor are refused, not crashed on.
    assert results["meta.mp4"].code == FILE_UNREADABLE
