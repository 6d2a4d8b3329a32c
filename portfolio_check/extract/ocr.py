"""Text from scanned pages: image-only PDF pages and pictures of documents, read by Tesseract.

A signed statement is very often a page put through a scanner, so it has no text layer. This
module reads such pages, and only those: the images of image-only PDF pages (taken from the PDF
as they are stored, never rendered) and pictures that `looks_like_document` says are pages of
text, at most `MAX_PAGES_PER_FILE` pages per file and within a time budget.

The engine is Tesseract 5 through tesserocr, chosen by measurement (``bench/vision.py`` prints
the figures): on rotated, noisy A4 scans it read 99.5-100% of characters right and 98.7% of the
real scanned page ``page.png``, in 0.2-1.4 s a page. RapidOCR (rapidocr-onnxruntime, models
inside its wheel) read 96-98% of characters but ran words together (55-83% of words right), took
4-6 s a page, 0.9 GB of memory and 400 MB of disk, and needs the full OpenCV build, which cannot
be installed beside the headless one used for faces. pytesseract reads as well as tesserocr but
starts the ``tesseract`` program and loads its model for every page (0.3-2 s more a page).
tesserocr's wheels carry libtesseract itself; the English language data (``eng.traineddata``,
4 MB) comes from the operating system's Tesseract package, found where those packages put it
(see `TESSDATA_DIRS`). Nothing is ever downloaded. Where the engine or its data is missing,
`ocr_available` says so in words a provider can act on, and the results say which pages were
not read.

Before Tesseract sees a page its lighting is flattened (a scan or a photo is darker at one edge;
Tesseract's global threshold then loses whole words there: 56% of characters read on the real
scanned page ``page.png`` before, 99% after) and a skew of up to `MAX_SKEW_DEGREES` is corrected
(Tesseract itself copes with about 3 degrees; at 6 it read a quarter to a half of a page).
"""

from __future__ import annotations

import functools
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, BinaryIO

from portfolio_check.extract.model import (
    FILE_ENCRYPTED,
    FILE_UNREADABLE,
    ExtractionProblem,
    Problem,
)

if TYPE_CHECKING:
    from PIL import Image
    from pypdf import PageObject, PdfReader

#: Pages read from any one file (PDF pages, TIFF frames): enough for a statement, bounded for a book.
MAX_PAGES_PER_FILE = 3
#: PDF pages looked at to find the image-only ones (each costs a text extraction).
MAX_PDF_PAGES_EXAMINED = 20
#: Default time budget for one file, within the extract stage's 30 s per file.
DEFAULT_SECONDS = 20.0
#: A page is downscaled to this many pixels before OCR: A4 at 300 dpi (8.7 MP) is read as it is;
#: a 600 dpi scan is halved, which costs Tesseract nothing in accuracy and three quarters of its time.
MAX_OCR_PIXELS = 9_000_000
#: Pictures and PDF images larger than this are not decoded (a JPEG is, at reduced scale).
MAX_DECODE_PIXELS = 60_000_000
#: Skew corrected before OCR; a page turned further than this is read as it is.
MAX_SKEW_DEGREES = 10.0
#: Smaller skews are left to Tesseract, which reads them as well (99.7% of characters at 1.5 and 3
#: degrees): rotating an A4 page costs 0.2 s.
MIN_SKEW_DEGREES = 2.0
#: Tesseract's language: the statement and the evidence are in English.
LANGUAGE = "eng"
#: Long side, in pixels, of the copy `looks_like_document` measures.
DOCUMENT_SAMPLE_SIDE = 640

#: Where Tesseract packages put their language data, after ``TESSDATA_PREFIX``.
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",  # Debian 12+, Ubuntu 22.04+: apt-get install tesseract-ocr-eng
    "/usr/share/tesseract-ocr/4.00/tessdata",  # Debian 11, Ubuntu 20.04
    "/usr/share/tessdata",  # Fedora, Arch
    "/usr/local/share/tessdata",  # source builds, Homebrew on Intel Macs
    "/opt/homebrew/share/tessdata",  # Homebrew on Apple silicon: brew install tesseract
    "/opt/local/share/tessdata",  # MacPorts
    r"C:\Program Files\Tesseract-OCR\tessdata",  # the Windows installer, for all users
    os.path.join(os.environ.get("LOCALAPPDATA", ""), "Programs", "Tesseract-OCR", "tessdata"),  # for one user
    os.path.join(sys.prefix, "share", "tessdata"),  # conda: conda install -c conda-forge tesseract
)

#: Problem codes: OCR could not run at all, or read only part of what it was given.
OCR_UNAVAILABLE = "ocr-unavailable"
OCR_INCOMPLETE = "ocr-incomplete"

TOO_LARGE_MESSAGE = "the picture is too large to read for text."
TOO_LARGE_FIX = "Scan it again at 300 dpi."
INSTALL_HINT = (
    "On Debian or Ubuntu: apt-get install tesseract-ocr-eng; on macOS: brew install tesseract; "
    "on Windows: install Tesseract with the UB Mannheim installer"
)


@dataclass(frozen=True)
class OcrResult:
    """What OCR read from one file. Plain data: it crosses worker processes."""

    #: The text read, pages in order, separated by a form feed (``\\f``).
    text: str
    #: Tesseract's mean word confidence, 0 to 100, over the pages that gave text; None when none did.
    confidence: float | None
    #: Wall-clock seconds spent, decoding and preparing the pages included.
    seconds: float
    #: Pages (images) read.
    pages: int
    #: Pages that were not read: beyond `MAX_PAGES_PER_FILE`, past the time budget, or undecodable.
    pages_skipped: int = 0
    #: Why something was not read, for a person (codes `OCR_UNAVAILABLE`, `OCR_INCOMPLETE`, ``file-unreadable``).
    problems: tuple[Problem, ...] = ()
    #: The engine and its version, e.g. ``"Tesseract 5.5.4"``; empty when it could not run.
    engine: str = ""


# --------------------------------------------------------------------------- the engine


def ocr_available() -> tuple[bool, str]:
    """Whether OCR can run here and, when it cannot, why, in words a provider can act on."""
    try:
        tesserocr = _tesserocr()
    except ImportError as error:  # also a wheel whose libtesseract cannot be loaded
        return False, (f"Tesseract is not installed: the tesserocr package could not be loaded ({error}). "
                       "Install it with: pip install tesserocr")
    folder = _tessdata_dir()
    if folder is None:
        return False, (f"Tesseract's English language data ({LANGUAGE}.traineddata) was not found. "
                       f"{INSTALL_HINT}, or set TESSDATA_PREFIX to the folder that holds {LANGUAGE}.traineddata.")
    return True, f"Tesseract {_short_version(tesserocr.tesseract_version())} with {folder}"


#: Where the advice starts in what `ocr_available` says when OCR cannot run.
_ADVICE_STARTS = ("Install it with", INSTALL_HINT[:20])


def unavailable_parts(why: str) -> tuple[str, str | None]:
    """What `ocr_available` says when OCR cannot run, as what is missing and how to install it
    (None when it gives no advice), so a finding can keep its message and its fix apart."""
    for start in _ADVICE_STARTS:
        at = why.find(start)
        if at > 0:
            return why[:at].strip(), why[at:].strip()
    return why, None


def _tesserocr() -> Any:
    """The binding, imported on first use: start-up must not pay for it."""
    import tesserocr

    return tesserocr


def _tessdata_dir() -> str | None:
    """The first folder holding the language's data: ``TESSDATA_PREFIX`` first, as Tesseract does."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    # Tesseract 3 took the folder above tessdata; Tesseract 4 and 5 take tessdata itself.
    candidates = [prefix, os.path.join(prefix, "tessdata")] if prefix else []
    for folder in [*candidates, *TESSDATA_DIRS]:
        if folder and os.path.isfile(os.path.join(folder, f"{LANGUAGE}.traineddata")):
            return folder
    return None


def _short_version(banner: str) -> str:
    """``"tesseract 5.5.4\\n leptonica-1.87.0 ..."`` -> ``"5.5.4"``."""
    first = banner.split("\n", 1)[0].split()
    return first[-1] if first else "?"


class _Engine:
    """One Tesseract instance per process, created on first use: loading the model costs 0.1 s."""

    api: Any = None
    folder: str | None = None

    @classmethod
    def get(cls) -> Any:
        folder = _tessdata_dir()
        if cls.api is not None and folder == cls.folder:
            return cls.api
        available, why = ocr_available()
        if not available or folder is None:
            raise _Unavailable(why)
        tesserocr = _tesserocr()
        try:
            api = tesserocr.PyTessBaseAPI(path=folder, lang=LANGUAGE)
        except RuntimeError as error:
            raise _Unavailable(f"Tesseract could not load its {LANGUAGE} data from {folder} ({error}). "
                               f"{INSTALL_HINT}.") from error
        # Tesseract and Leptonica print their warnings about an odd page to stderr, which is the
        # command line's: an assessor cannot act on them.
        api.SetVariable("debug_file", os.devnull)
        if hasattr(tesserocr, "set_leptonica_log_level"):  # tesserocr 2.8 and later
            tesserocr.set_leptonica_log_level(tesserocr.LeptLogLevel.NONE)
        cls.api, cls.folder = api, folder
        return api

    @staticmethod
    def name() -> str:
        return f"Tesseract {_short_version(_tesserocr().tesseract_version())}"


class _Unavailable(Exception):
    pass


# --------------------------------------------------------------------------- public entry points


def ocr_image(source: Image.Image | BinaryIO, *, seconds: float = DEFAULT_SECONDS,
              max_pages: int = MAX_PAGES_PER_FILE) -> OcrResult:
    """Read the text of a picture of a document (every frame of a multi-page TIFF, up to ``max_pages``).

    ``source`` is an opened Pillow image or a binary stream holding a picture. Never raises for
    what the picture holds: a picture that cannot be decoded, a missing engine or an exhausted
    budget is a problem on the result.
    """
    started = time.monotonic()
    try:
        image = _open(source)
    except ExtractionProblem as problem:
        return OcrResult("", None, time.monotonic() - started, 0, 1, (Problem(problem.code, problem.message, problem.fix),))
    frames = getattr(image, "n_frames", 1) or 1
    pages = [_frame(image, index) for index in range(min(frames, max_pages))]
    return _read_pages(pages, started, seconds, skipped=max(0, frames - max_pages))


def ocr_pdf(source: BinaryIO | PdfReader, *, seconds: float = DEFAULT_SECONDS,
            max_pages: int = MAX_PAGES_PER_FILE) -> OcrResult:
    """Read the image-only pages of a PDF (see `scanned_page_images`); pages with text are left alone.

    Raises `ExtractionProblem` only when the PDF itself cannot be opened (damaged, encrypted).
    """
    from portfolio_check.extract.documents import quiet

    started = time.monotonic()
    with quiet("pypdf"):
        pages, problems, skipped = _scanned_pages(source, max_pages)
        result = _read_pages(pages, started, seconds, skipped=skipped)
    if problems:
        result = replace(result, problems=tuple(problems) + result.problems)
    return result


def scanned_page_images(source: BinaryIO | PdfReader, max_pages: int = MAX_PAGES_PER_FILE) -> list[Image.Image]:
    """The pictures of a PDF's first image-only pages (at most ``max_pages``), as stored, not rendered.

    A page counts as image-only when it draws an image and has almost no text (the same rule the
    PDF reader uses to call a PDF a scan); its largest image is taken. Images over
    `MAX_DECODE_PIXELS`, or in a form pypdf cannot decode (JBIG2 without its decoder), are skipped.
    Raises `ExtractionProblem` when the PDF cannot be opened.
    """
    from portfolio_check.extract.documents import quiet

    with quiet("pypdf"):
        pages, _, _ = _scanned_pages(source, max_pages)
        return [page.load() for page in pages]


def looks_like_document(image: Image.Image | BinaryIO) -> bool:
    """Whether a picture looks like a page of text (a scan or a photo of one) and is worth OCR.

    Measured on a copy at most `DOCUMENT_SAMPLE_SIDE` pixels across (a JPEG given as a stream is
    decoded at reduced scale, so this costs 5 to 90 ms): a document is mostly light "paper", its
    dark marks are a small share of the paper and are thin strokes, which vanish when the mask
    is eroded by one pixel. Photos of people, places and things have dark regions that survive
    erosion. A blank page is not a document (nothing to read). Never raises: an unreadable
    picture is not a document.
    """
    try:
        sample = _document_sample(image)
    except Exception:  # noqa: BLE001 - a damaged picture simply is not a document
        return False
    return _document_measures(sample).is_document


# --------------------------------------------------------------------------- reading pages


@dataclass(frozen=True)
class _Page:
    """A page to read, decoded only when its turn comes: a frame of a picture, or a PDF's image."""

    load: Callable[[], Image.Image]


def _frame(image: Image.Image, index: int) -> _Page:
    def load() -> Image.Image:
        if getattr(image, "n_frames", 1) > 1:
            image.seek(index)
        return image

    return _Page(load)


def _read_pages(pages: Sequence[_Page], started: float, seconds: float, skipped: int) -> OcrResult:
    """OCR each page within the budget; what was not read is counted and said."""
    problems: list[Problem] = []
    if not pages:
        return OcrResult("", None, time.monotonic() - started, 0, skipped)
    try:
        api = _Engine.get()
    except _Unavailable as why:
        return OcrResult("", None, time.monotonic() - started, 0, skipped + len(pages),
                         (Problem(OCR_UNAVAILABLE, str(why)),))
    texts: list[str] = []
    confidences: list[float] = []
    read = 0
    for index, page in enumerate(pages):
        remaining = seconds - (time.monotonic() - started)
        if remaining <= 0.05:
            skipped += len(pages) - index
            problems.append(_out_of_time(len(pages) - index, seconds))
            break
        try:
            prepared = prepare_page(page.load())
        except (Exception, MemoryError) as error:  # noqa: BLE001 - a damaged frame must not lose the others
            skipped += 1
            problems.append(Problem(FILE_UNREADABLE, f"page {index + 1} could not be decoded ({type(error).__name__})."))
            continue
        api.SetImage(prepared)
        # Tesseract checks the deadline between words, so its layout analysis can overrun it a
        # little; the sandbox's per-file limit is the hard stop.
        remaining = seconds - (time.monotonic() - started)
        if not api.Recognize(timeout=max(1, int(remaining * 1000))):
            # Cancelled: the words read so far are not kept, and Get*Text would start again.
            api.Clear()
            skipped += len(pages) - index
            problems.append(_out_of_time(len(pages) - index, seconds))
            break
        text = _tidy(api.GetUTF8Text())
        if text:
            confidences.append(float(api.MeanTextConf()))
        texts.append(text)
        read += 1
        api.Clear()
    confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
    return OcrResult("\f".join(texts), confidence, time.monotonic() - started, read, skipped,
                     tuple(problems), _Engine.name())


def _out_of_time(pages: int, seconds: float) -> Problem:
    count = "1 page" if pages == 1 else f"{pages} pages"
    return Problem(OCR_INCOMPLETE, f"{count} not read: the time for reading scans ({seconds:g} s) ran out.")


def _tidy(text: str) -> str:
    """Trailing spaces and runs of blank lines removed; Tesseract ends every block with two newlines."""
    lines = [line.rstrip() for line in text.splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


# --------------------------------------------------------------------------- preparing a page


def prepare_page(image: Image.Image) -> Image.Image:
    """A page as Tesseract reads it best: grey, at most `MAX_OCR_PIXELS`, lighting flattened, deskewed."""
    from PIL import Image

    grey = _grey(image)
    width, height = grey.size
    if width * height > MAX_OCR_PIXELS:
        factor = math.sqrt(MAX_OCR_PIXELS / (width * height))
        grey = grey.resize((max(1, int(width * factor)), max(1, int(height * factor))), Image.Resampling.BOX)
    flat = flatten_lighting(grey)
    angle = estimate_skew(flat)
    if abs(angle) >= MIN_SKEW_DEGREES:
        flat = flat.rotate(-angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    return flat


def _grey(image: Image.Image) -> Image.Image:
    """8-bit grey; transparency over white (a PNG of a page often has a transparent background)."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        return _stretch_to_8_bits(image)
    return image.convert("L")


def _stretch_to_8_bits(image: Image.Image) -> Image.Image:
    """16-bit and float scans: Pillow's ``convert("L")`` clips them to white, so scale by the range."""
    import numpy as np
    from PIL import Image

    values = np.asarray(image.convert("F") if image.mode != "F" else image, dtype=np.float32)
    low, high = float(values.min()), float(values.max())
    scaled = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
    return Image.fromarray(scaled.astype(np.uint8))


def flatten_lighting(grey: Image.Image) -> Image.Image:
    """Divide out the paper's brightness, so an unevenly lit page has one white and one black.

    The paper's brightness is the local maximum (text strokes are thinner than the window),
    taken on a copy about 200 px across and smoothed; dividing by it makes the paper white
    everywhere and leaves the ink dark, which Tesseract's global threshold then separates.
    """
    import numpy as np
    from PIL import Image, ImageFilter

    factor = max(1, round(min(grey.size) / 200))
    small = grey.reduce(factor) if factor > 1 else grey
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(5))
    if paper.size != grey.size:
        paper = paper.resize(grey.size, Image.Resampling.BILINEAR)
    ink = np.asarray(grey, dtype=np.float32)
    light = np.maximum(np.asarray(paper, dtype=np.float32), 1.0)
    return Image.fromarray(np.clip(ink * (255.0 / light), 0, 255).astype(np.uint8))


def estimate_skew(grey: Image.Image, max_degrees: float = MAX_SKEW_DEGREES) -> float:
    """The angle (degrees, anticlockwise) the text lines are turned by, from projection profiles.

    Dark pixels are projected onto the vertical axis along lines sloped by each candidate angle;
    when the slope matches the text, lines fall into few rows and the sum of squared row counts
    peaks. A coarse pass in half degrees, then a fine one in tenths. 0 when there is no clear
    answer (no text, or no angle better than level by 5%).
    """
    import numpy as np

    sample = grey
    if max(grey.size) > 1000:
        factor = 1000 / max(grey.size)
        sample = grey.resize((max(1, int(grey.width * factor)), max(1, int(grey.height * factor))))
    pixels = np.asarray(sample)
    ys, xs = np.nonzero(pixels < 128)
    if len(ys) < 200:
        return 0.0
    if len(ys) > 200_000:  # a dark photo: the profile does not need every pixel
        step = len(ys) // 200_000 + 1
        ys, xs = ys[::step], xs[::step]
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64)

    def score(angle: float) -> float:
        rows = np.rint(ys + xs * math.tan(math.radians(angle))).astype(np.int64)
        counts = np.bincount(rows - rows.min()).astype(np.float64)
        return float(np.dot(counts, counts))

    level = score(0.0)
    coarse = max((score(a), a) for a in _steps(-max_degrees, max_degrees, 0.5))
    best = max((score(a), a) for a in _steps(coarse[1] - 0.5, coarse[1] + 0.5, 0.1))
    if best[0] < level * 1.05:
        return 0.0
    return round(best[1], 1)


def _steps(start: float, stop: float, step: float) -> Iterator[float]:
    count = round((stop - start) / step)
    for index in range(count + 1):
        yield start + index * step


# --------------------------------------------------------------------------- opening pictures


def _open(source: Image.Image | BinaryIO) -> Image.Image:
    """An image ready to read: a large JPEG given as a stream is decoded at reduced scale (so its
    cost is bounded whatever it claims); any other picture over `MAX_DECODE_PIXELS` is refused."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    ours = not isinstance(source, Image.Image)
    if isinstance(source, Image.Image):
        image = source
    else:
        try:
            source.seek(0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit applies below
                image = Image.open(source)
        except Image.DecompressionBombError as error:
            raise ExtractionProblem(FILE_UNREADABLE, TOO_LARGE_MESSAGE, fix=TOO_LARGE_FIX) from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise ExtractionProblem(FILE_UNREADABLE, "the picture could not be decoded: it is damaged or not "
                                                     "a picture that can be read.") from error
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ExtractionProblem(FILE_UNREADABLE, "the picture has no pixels.")
    if ours and image.format == "JPEG" and width * height > MAX_OCR_PIXELS:
        # draft() picks the smallest of 1/2, 1/4, 1/8 scale at least as large as asked: asking for
        # half the budget keeps the decoded picture between half and twice `MAX_OCR_PIXELS`.
        factor = math.sqrt(MAX_OCR_PIXELS / 2 / (width * height))
        image.draft("L", (int(width * factor), int(height * factor)))
    elif width * height > MAX_DECODE_PIXELS:
        raise ExtractionProblem(FILE_UNREADABLE, TOO_LARGE_MESSAGE, fix=TOO_LARGE_FIX)
    return image


# --------------------------------------------------------------------------- PDFs


def _scanned_pages(source: BinaryIO | PdfReader, max_pages: int) -> tuple[list[_Page], list[Problem], int]:
    """The first image-only pages (their images decoded when read), the problems met, and how many
    image-only pages were left unread."""
    from pypdf import PdfReader

    from portfolio_check.extract.documents import SCAN_PAGE_MAX_TEXT

    if isinstance(source, PdfReader):
        reader = source
    else:
        try:
            source.seek(0)
            reader = PdfReader(source)
        except Exception as error:  # pypdf raises many kinds on damaged files
            raise ExtractionProblem(FILE_UNREADABLE, "the PDF could not be opened to read its scanned pages.") from error
    if reader.is_encrypted:
        try:
            unlocked = reader.decrypt("")
        except Exception as error:  # unsupported encryption
            raise ExtractionProblem(FILE_ENCRYPTED, "the PDF is password-protected.") from error
        if not unlocked:
            raise ExtractionProblem(FILE_ENCRYPTED, "the PDF is password-protected.")
    found: list[_Page] = []
    problems: list[Problem] = []
    skipped = 0
    try:
        count = len(reader.pages)
    except Exception as error:  # a broken page tree
        raise ExtractionProblem(FILE_UNREADABLE, "the PDF's pages could not be found.") from error
    for number in range(min(count, MAX_PDF_PAGES_EXAMINED)):
        page = _page_if_image_only(reader, number, SCAN_PAGE_MAX_TEXT)
        if page is None:
            continue
        if len(found) >= max_pages:
            skipped += 1
            continue
        try:
            key = _largest_image(page)
        except _Skip as why:
            skipped += 1
            problems.append(Problem(OCR_INCOMPLETE, f"page {number + 1}: {why}"))
            continue
        if key is not None:
            found.append(_Page(functools.partial(_decode_image, page, key)))
    return found, problems, skipped

class _Skip(Exception):
    pass


def _page_if_image_only(reader: PdfReader, number: int, max_text: int) -> PageObject | None:
    try:
        page = reader.pages[number]
        return page if _image_only(page, max_text) else None
    except Exception:  # noqa: BLE001 - one broken page must not lose the others
        return None


def _image_only(page: PageObject, max_text: int) -> bool:
    """Draws an image and has almost no text: a page without fonts has none, so skip extracting it."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    if resources is None or "/XObject" not in resources:
        return False
    if "/Font" in resources:
        text = page.extract_text() or ""
        if sum(1 for char in text if not char.isspace()) >= max_text:
            return False
    return True


def _largest_image(page: PageObject) -> list[str] | None:
    """Where the page's largest image is (on the page, or one form deep), refusing one too large.

    Sizes are read from the image dictionaries, so a huge image is refused before it is decoded.
    """
    best: tuple[int, list[str]] | None = None
    for key, obj in _image_xobjects(page):
        try:
            width, height = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
        except (TypeError, ValueError):
            continue
        if width > 0 and height > 0 and (best is None or width * height > best[0]):
            best = (width * height, key)
    if best is None:
        return None
    if best[0] > MAX_DECODE_PIXELS:
        raise _Skip(f"its scanned image is {best[0] / 1e6:.0f} megapixels, too large to read for text.")
    return best[1]


def _decode_image(page: PageObject, key: list[str]) -> Image.Image:
    """The image decoded by pypdf (JPEG, Flate, CCITT fax...); raises on what pypdf cannot decode."""
    image = page.images[key[0] if len(key) == 1 else key].image
    if image is None:
        raise ValueError("pypdf returned no image")
    return image


def _image_xobjects(page: PageObject) -> Iterator[tuple[list[str], Any]]:
    """``(path, image dictionary)`` for images on the page and inside its forms, one level deep."""
    def xobjects(holder: Any) -> Any:
        resources = holder.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        found = resources.get("/XObject") if resources is not None else None
        return found.get_object() if found is not None else {}

    for name, reference in xobjects(page).items():
        obj = reference.get_object()
        subtype = obj.get("/Subtype")
        if subtype == "/Image":
            yield [name], obj
        elif subtype == "/Form":
            for inner, inner_reference in xobjects(obj).items():
                inner_obj = inner_reference.get_object()
                if inner_obj.get("/Subtype") == "/Image":
                    yield [name, inner], inner_obj


# --------------------------------------------------------------------------- is it a document?


@dataclass(frozen=True)
class DocumentMeasures:
    """What `looks_like_document` measured, each a fraction (see its docstring)."""

    #: Share of the picture that is paper (bright by the picture's own threshold, edges eroded).
    paper: float
    #: Share of the paper covered by dark marks.
    ink: float
    #: Share of the dark marks that survive a 3x3 erosion: thin strokes do not.
    thick: float

    @property
    def is_document(self) -> bool:
        return self.paper >= 0.35 and 0.005 <= self.ink <= 0.30 and self.thick <= 0.14


def document_measures(image: Image.Image | BinaryIO) -> DocumentMeasures:
    """The measures behind `looks_like_document`, for tuning and for tests."""
    return _document_measures(_document_sample(image))


def _document_sample(image: Image.Image | BinaryIO) -> Image.Image:
    """A grey copy at most `DOCUMENT_SAMPLE_SIDE` across, upright; the caller's image is not changed."""
    from PIL import Image

    if isinstance(image, Image.Image):
        picture, ours = image, False
    else:
        image.seek(0)
        picture, ours = Image.open(image), True
        picture.draft("L", (DOCUMENT_SAMPLE_SIDE, DOCUMENT_SAMPLE_SIDE))  # JPEG: decoded at 1/2 to 1/8 scale
    width, height = picture.size
    if width * height > MAX_DECODE_PIXELS and not (ours and picture.format == "JPEG"):
        raise ValueError("too large to sample")
    scale = DOCUMENT_SAMPLE_SIDE / max(picture.size)
    if scale < 1:
        # resize keeps the EXIF orientation, so _grey turns the small copy upright.
        picture = picture.resize((max(1, round(picture.width * scale)), max(1, round(picture.height * scale))),
                                 Image.Resampling.BOX)
    return _grey(picture)


def _document_measures(grey: Image.Image) -> DocumentMeasures:
    from PIL import Image, ImageChops, ImageFilter

    pixels = grey.width * grey.height
    if pixels < 64:
        return DocumentMeasures(0.0, 0.0, 1.0)
    # Local paper brightness: the maximum over a window wider than any stroke (4x4 blocks, 3 blocks).
    local_light = (grey.reduce(4) if min(grey.size) >= 32 else grey).filter(ImageFilter.MaxFilter(3))
    marks = ImageChops.subtract(local_light.resize(grey.size, Image.Resampling.BILINEAR), grey)
    ink = marks.point(lambda value: 255 if value > 40 else 0)
    threshold = _otsu(grey.histogram())
    paper = (local_light.point(lambda value: 255 if value > threshold else 0)
             .filter(ImageFilter.MinFilter(3))  # away from the paper's edges, which are dark against a desk
             .resize(grey.size, Image.Resampling.NEAREST))
    paper_pixels = _white(paper)
    text = ImageChops.darker(ink, paper)
    text_pixels = _white(text)
    surviving = _white(text.filter(ImageFilter.MinFilter(3)))
    return DocumentMeasures(paper=paper_pixels / pixels, ink=text_pixels / max(1, paper_pixels),
                            thick=surviving / max(1, text_pixels))


def _white(mask: Image.Image) -> int:
    return mask.histogram()[255]


def _otsu(histogram: list[int]) -> int:
    """Otsu's threshold of a 256-bin histogram: the level that best splits it in two."""
    total = sum(histogram)
    weighted_total = sum(level * count for level, count in enumerate(histogram))
    below = weighted_below = 0
    best_level, best_spread = 0, -1.0
    for level, count in enumerate(histogram):
        below += count
        if below == 0:
            continue
        above = total - below
        if above == 0:
            break
        weighted_below += level * count
        mean_below = weighted_below / below
        mean_above = (weighted_total - weighted_below) / above
        spread = below * above * (mean_below - mean_above) ** 2
        if spread > best_spread:
            best_level, best_spread = level, spread
    return best_level

