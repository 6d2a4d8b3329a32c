"""OCR of scanned pages: statements rendered as scans, a real scanned page, real photographs.

Scans are made here the way a scanner makes them: text rendered with Pillow's bundled font,
turned a little, speckled with noise, saved as an image-only PDF named as scanners name files.
The real scanned page and photographs are read in place from the shared corpus.
"""

from __future__ import annotations

import io
import pickle
import random
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import builders
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from portfolio_check.extract import ocr
from portfolio_check.extract.model import FILE_ENCRYPTED, FILE_UNREADABLE, ExtractionProblem
from portfolio_check.extract.ocr import (
    MAX_OCR_PIXELS,
    OCR_INCOMPLETE,
    OCR_UNAVAILABLE,
    OcrResult,
    estimate_skew,
    looks_like_document,
    ocr_available,
    ocr_image,
    ocr_pdf,
    scanned_page_images,
)

AVAILABLE, WHY_NOT = ocr_available()
needs_engine = pytest.mark.skipif(not AVAILABLE, reason=f"OCR engine missing: {WHY_NOT}")

DECLARATION = [
    "Declaration of authenticity",
    "We confirm that the evidence in this portfolio is valid and attributable",
    "to the apprentice, and that it is the apprentice's own work.",
    "Apprentice name: Priya Okafor      Signed: P. Okafor      Date: 06/03/2026",
    "Employer name: Jo Bloggs, Line Manager, Northern Pictures",
    "Signed: J. Bloggs      Date: 06/03/2026",
]
CALL_SHEET = [
    "Call sheet - shoot day 3",
    "Unit base: Studio 2, Salford Quays",
    "Crew call 07:30, first shot 08:15, wrap 18:00",
    "Nearest hospital: Salford Royal, Stott Lane",
]
#: What page.png says, typed from the page (the last line is cut by the page's edge, so left out).
PAGE_TEXT = """Region-based segmentation
Let us first determine markers of the coins and the
background. These markers are pixels that we can label
unambiguously as either object or background. Here,
the markers are found at the two extreme parts of the
histogram of grey values:
>>> markers = np.zeros_like(coins)"""


def scanned_page(lines: list[str], angle: float = 1.5, size: tuple[int, int] = (1654, 2339), seed: int = 1) -> Image.Image:
    """An A4 page at 200 dpi as a scanner returns it: grey paper, turned by ``angle``, noisy."""
    font = ImageFont.load_default(size=30)  # Pillow's bundled scalable font: no system fonts needed
    page = Image.new("L", size, 238)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(lines):
        draw.text((150, 200 + number * 52), line, fill=30, font=font)
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=238)
    random.seed(seed)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    return Image.blend(page, Image.effect_noise(size, 40), 0.15)


def image_only_pdf(path: Path, pages: list[Image.Image]) -> Path:
    pages[0].save(path, "PDF", resolution=200, save_all=True, append_images=pages[1:])
    return path


def words(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


def edit_distance(a: list[str] | str, b: list[str] | str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


# --------------------------------------------------------------------------- engine availability


def test_ocr_available_names_the_engine_or_says_why_not() -> None:
    available, why = ocr_available()
    assert why
    if available:
        assert why.startswith("Tesseract 5") or why.startswith("Tesseract 4")
        assert "tessdata" in why


def test_a_missing_binding_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tesserocr", None)  # import now raises ImportError
    available, why = ocr_available()
    assert not available
    assert why.startswith("Tesseract is not installed")
    assert "pip install tesserocr" in why


def test_missing_language_data_is_explained_and_scans_are_reported_unread(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class FakeBinding:
        @staticmethod
        def tesseract_version() -> str:
            return "tesseract 5.5.4\n leptonica-1.87.0"

    monkeypatch.setattr(ocr, "_tesserocr", lambda: FakeBinding)
    monkeypatch.setattr(ocr, "TESSDATA_DIRS", ())
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    monkeypatch.setattr(ocr._Engine, "api", None)
    available, why = ocr_available()
    assert not available
    assert "eng.traineddata" in why and "apt-get install tesseract-ocr-eng" in why and "TESSDATA_PREFIX" in why

    result = ocr_image(scanned_page(DECLARATION))
    assert result.text == "" and result.pages == 0 and result.pages_skipped == 1
    assert [p.code for p in result.problems] == [OCR_UNAVAILABLE]
    assert "eng.traineddata" in result.problems[0].message


def test_importing_the_module_loads_no_engine() -> None:
    """Start-up time: the command line may import the module; only reading a page loads the engine."""
    code = ("import sys, portfolio_check.extract.ocr; "
            "print(sorted(m for m in ('tesserocr', 'numpy', 'PIL', 'pypdf', 'cv2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- scanned statements


@needs_engine
def test_a_scanned_statement_pdf_reads_as_the_statement(tmp_path: Path) -> None:
    pdf = image_only_pdf(tmp_path / "Scan_20260306_0912.pdf", [scanned_page(DECLARATION)])
    with open(pdf, "rb") as stream:
        result = ocr_pdf(stream)
    text = words(result.text)
    for phrase in ("declaration of authenticity", "valid and attributable", "apprentice's own work",
                   "priya okafor", "jo bloggs", "06/03/2026"):
        assert phrase in text, (phrase, result.text)
    assert result.pages == 1 and result.pages_skipped == 0 and not result.problems
    assert result.confidence is not None and result.confidence > 80
    assert result.engine.startswith("Tesseract")
    assert 0 < result.seconds < 15


@needs_engine
def test_a_scanned_page_of_something_else_reads_as_what_it_is(tmp_path: Path) -> None:
    pdf = image_only_pdf(tmp_path / "Scan_20260306_0915.pdf", [scanned_page(CALL_SHEET, angle=-1.0, seed=2)])
    with open(pdf, "rb") as stream:
        text = words(ocr_pdf(stream).text)
    assert "call sheet" in text and "salford quays" in text
    assert "declaration" not in text and "attributable" not in text


@needs_engine
def test_only_the_first_pages_of_a_long_scan_are_read(tmp_path: Path) -> None:
    pages = [scanned_page([f"Page {n} of the site log", "Kit checked and returned"], size=(827, 1169), seed=n)
             for n in range(1, 6)]
    pdf = image_only_pdf(tmp_path / "Scan_20260307_1010.pdf", pages)
    with open(pdf, "rb") as stream:
        assert len(scanned_page_images(stream)) == ocr.MAX_PAGES_PER_FILE
        result = ocr_pdf(stream)
    assert result.pages == 3 and result.pages_skipped == 2
    assert [words(page).split(" of")[0] for page in result.text.split("\f")] == ["page 1", "page 2", "page 3"]


def test_pages_with_a_text_layer_are_left_alone(tmp_path: Path) -> None:
    pdf = builders.pdf(tmp_path / "statement.pdf", [DECLARATION])
    with open(pdf, "rb") as stream:
        assert scanned_page_images(stream) == []
        result = ocr_pdf(stream)
    assert result.pages == 0 and result.text == "" and not result.problems


def test_a_password_protected_or_damaged_pdf_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    locked = builders.pdf(tmp_path / "locked.pdf", [DECLARATION], user_password="secret")
    with open(locked, "rb") as stream, pytest.raises(ExtractionProblem) as raised:
        ocr_pdf(stream)
    assert raised.value.code == FILE_ENCRYPTED
    with pytest.raises(ExtractionProblem) as raised:
        ocr_pdf(io.BytesIO(b"%PDF-1.4\n" + bytes(range(256)) * 4))
    assert raised.value.code == FILE_UNREADABLE


def test_a_huge_scanned_image_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    image = DecodedStreamObject()
    image.set_data(b"\x00" * 16)  # claims 12000 x 12000 pixels, holds 16 bytes
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(12000), NameObject("/Height"): NumberObject(12000),
                  NameObject("/ColorSpace"): NameObject("/DeviceGray"), NameObject("/BitsPerComponent"): NumberObject(8)})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})})
    buffer = io.BytesIO()
    writer.write(buffer)
    result = ocr_pdf(PdfReader(buffer))
    assert result.pages == 0 and result.pages_skipped == 1
    assert result.problems[0].code == OCR_INCOMPLETE and "too large" in result.problems[0].message


# --------------------------------------------------------------------------- pictures


@needs_engine
def test_the_real_scanned_page_reads_with_reasonable_accuracy(corpus: Path) -> None:
    result = ocr_image(Image.open(corpus / "faces" / "page.png"))
    got, want = words(result.text), words(PAGE_TEXT)
    character_accuracy = 1 - edit_distance(got, want) / len(want)
    word_accuracy = 1 - edit_distance(got.split(), want.split()) / len(want.split())
    # Measured 98.7% and 95.7%; plain Tesseract without the lighting correction reads 56%.
    assert character_accuracy >= 0.93, result.text
    assert word_accuracy >= 0.88, result.text


@needs_engine
def test_a_photographed_statement_given_as_a_stream_is_read(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    scanned_page(DECLARATION, angle=-2.5, seed=3).convert("RGB").save(buffer, "JPEG", quality=75)
    result = ocr_image(buffer)
    assert "valid and attributable" in words(result.text)


@needs_engine
def test_a_multi_page_tiff_is_read_up_to_the_page_limit(tmp_path: Path) -> None:
    pages = [scanned_page([f"Sheet {n}: timesheet for week {n}"], size=(827, 400), seed=n) for n in range(1, 5)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:])
    result = ocr_image(buffer)
    assert result.pages == 3 and result.pages_skipped == 1
    assert "week 3" in words(result.text) and "week 4" not in words(result.text)


@needs_engine
def test_the_time_budget_is_kept() -> None:
    result = ocr_image(scanned_page(DECLARATION), seconds=0.0)
    assert result.pages == 0 and result.pages_skipped == 1 and result.text == ""
    assert result.problems[0].code == OCR_INCOMPLETE and "ran out" in result.problems[0].message


def test_a_damaged_picture_is_a_problem_not_a_crash() -> None:
    result = ocr_image(io.BytesIO(b"\xff\xd8\xff\xe0 not really a jpeg"))
    assert result.pages == 0 and result.problems[0].code == FILE_UNREADABLE


def test_a_picture_claiming_huge_dimensions_is_not_decoded() -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    result = ocr_image(io.BytesIO(png))
    assert result.pages == 0 and result.problems[0].code == FILE_UNREADABLE
    assert "too large" in result.problems[0].message


def test_a_large_jpeg_is_decoded_at_reduced_scale() -> None:
    buffer = io.BytesIO()
    Image.new("L", (6000, 4500), 240).save(buffer, "JPEG")  # 27 MP, three times the OCR size
    image = ocr._open(buffer)
    image.load()
    assert image.size == (3000, 2250)  # JPEG decodes at 1/2, 1/4 or 1/8 scale: 1/2 is the one under budget
    assert image.size[0] * image.size[1] <= MAX_OCR_PIXELS


def test_skew_is_measured_both_ways() -> None:
    for angle in (4.0, -3.0, 7.5):
        page = scanned_page(DECLARATION + CALL_SHEET, angle=angle, size=(1240, 1754))
        assert abs(estimate_skew(ocr.flatten_lighting(page.convert("L"))) - angle) <= 0.4, angle
    assert estimate_skew(Image.new("L", (800, 600), 250)) == 0.0  # nothing on the page


@needs_engine
def test_a_page_turned_six_degrees_is_straightened_before_reading() -> None:
    page = scanned_page(DECLARATION, angle=6.0)
    assert "valid and attributable" in words(ocr_image(page).text)


# --------------------------------------------------------------------------- is it a document?


def test_scans_look_like_documents_and_photographs_do_not(corpus: Path) -> None:
    faces = corpus / "faces"
    assert looks_like_document(Image.open(faces / "page.png"))
    for photo in ("astronaut.png", "coffee.png", "rocket.jpg"):
        with open(faces / photo, "rb") as stream:
            assert not looks_like_document(stream), photo
    assert looks_like_document(scanned_page(DECLARATION))
    assert not looks_like_document(Image.new("L", (1240, 1754), 240))  # a blank page: nothing to read


def test_a_photo_of_a_page_on_a_desk_looks_like_a_document(corpus: Path) -> None:
    desk = Image.open(corpus / "faces" / "coffee.png").convert("RGB").resize((1400, 1100))
    page = scanned_page(DECLARATION, size=(1654, 1654)).convert("RGB").resize((1000, 1000))
    desk.paste(page.rotate(4, expand=True, fillcolor=(0, 0, 0)), (180, 20),
               Image.new("L", page.size, 255).rotate(4, expand=True))
    buffer = io.BytesIO()
    desk.save(buffer, "JPEG", quality=85)
    assert looks_like_document(buffer)


def test_looks_like_document_never_raises_and_leaves_the_image_alone(corpus: Path) -> None:
    assert not looks_like_document(io.BytesIO(b"GIF89a broken"))
    image = Image.open(corpus / "faces" / "rocket.jpg")
    looks_like_document(image)
    assert image.size == (640, 427)
    image.load()
    assert image.size == (640, 427)  # not decoded at reduced scale behind the caller's back


# --------------------------------------------------------------------------- results cross processes


def test_results_pickle() -> None:
    from portfolio_check.extract.model import Problem

    result = OcrResult("Declaration\fPage two", 91.5, 0.8, 2, 1, (Problem(OCR_INCOMPLETE, "1 page not read"),),
                       "Tesseract 5.5.4")
    assert pickle.loads(pickle.dumps(result)) == result
