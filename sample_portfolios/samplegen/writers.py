"""Writers for every kind of evidence file, with the real libraries, giving byte-identical output on every run.

Office files and zips are rewritten with fixed member timestamps (the libraries stamp the time of
saving) and fixed core-property dates; PDFs are written by hand; clips come from the ffmpeg that
moviepy installs, with bit-exact flags, no metadata and one thread, so they are reproducible too.
"""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
import subprocess
import tempfile
import textwrap
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

#: The timestamp Office itself gives package members; used for every zip member written here.
ZIP_MEMBER_TIME = (1980, 1, 1, 0, 0, 0)

#: A block of a document: ("h1" | "h2" | "p" | "small", text), ("bullets" | "numbered", [items]),
#: ("table", rows) with the first row as header, ("fields", [(label, value)]) as a two-column table.
Block = tuple[str, str | Sequence[str] | Sequence[Sequence[str]]]


# --- zips and Office packages ---------------------------------------------------------------------

def _fixed_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_MEMBER_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 0
    info.external_attr = 0
    return info


def normalise_package(path: Path, when: datetime) -> None:
    """Rewrite an Office package with fixed member times and core-property dates set to ``when``."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, data in members:
            if name == "docProps/core.xml":
                # openpyxl and python-pptx stamp 'modified' with the time of saving.
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              lambda m: m.group(1) + stamp.encode() + m.group(2), data)
            target.writestr(_fixed_info(name), data, compresslevel=6)
    path.write_bytes(buffer.getvalue())


def zip_folder(folder: Path, archive: Path, top: str | None = None) -> Path:
    """Zip ``folder`` (files in sorted order, fixed times); ``top`` names the single folder inside."""
    prefix = f"{top}/" if top else ""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as target:
        if top:
            target.writestr(_fixed_info(prefix), b"")
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            target.writestr(_fixed_info(prefix + path.relative_to(folder).as_posix()), path.read_bytes(),
                            compresslevel=6)
    return archive


# --- Word -----------------------------------------------------------------------------------------

def docx(path: Path, blocks: Sequence[Block], *, title: str, author: str, created: datetime,
         header: str = "", footer: str = "") -> Path:
    """A Word document built from blocks, with a header and footer like a company template."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = title, author, author
    properties.created = properties.modified = created
    properties.revision = 3
    properties.comments = ""
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    document.styles["Normal"].font.size = Pt(10.5)
    for kind, content in blocks:
        if kind == "h1":
            document.add_heading(str(content), level=1)
        elif kind == "h2":
            document.add_heading(str(content), level=2)
        elif kind == "p":
            document.add_paragraph(str(content))
        elif kind == "small":
            paragraph = document.add_paragraph()
            run = paragraph.add_run(str(content))
            run.font.size = Pt(8.5)
            run.italic = True
        elif kind in ("bullets", "numbered"):
            style = "List Bullet" if kind == "bullets" else "List Number"
            for item in content:
                document.add_paragraph(str(item), style=style)
        elif kind in ("table", "fields"):
            rows = [list(r) for r in content] if kind == "table" else [[k, v] for k, v in content]  # type: ignore[misc]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = str(value)
                    if (kind == "table" and r == 0) or (kind == "fields" and c == 0):
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
            document.add_paragraph()
        else:
            raise ValueError(f"unknown block {kind}")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    normalise_package(path, created)
    return path


# --- PowerPoint -----------------------------------------------------------------------------------

@dataclass
class Slide:
    title: str
    bullets: Sequence[str] = ()
    notes: str = ""
    picture: Path | None = None
    movie: Path | None = None
    movie_poster: Path | None = None


def pptx(path: Path, slides: Sequence[Slide], *, title: str, author: str, created: datetime,
         subtitle: str = "") -> Path:
    """A 16:9 deck: a title slide, then title-and-content slides with speaker notes."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(13.333), Inches(7.5)
    properties = presentation.core_properties
    properties.title, properties.author, properties.last_modified_by = title, author, author
    properties.created = properties.modified = created
    properties.revision = 2
    cover = presentation.slides.add_slide(presentation.slide_layouts[0])
    cover.shapes.title.text = title
    cover.placeholders[1].text = subtitle or author
    for spec in slides:
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = spec.title
        body = slide.placeholders[1]
        body.width = Inches(7.2) if (spec.picture or spec.movie) else Inches(12)
        frame = body.text_frame
        for index, bullet in enumerate(spec.bullets):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.text = bullet
            paragraph.font.size = Pt(20)
        if spec.picture is not None:
            slide.shapes.add_picture(str(spec.picture), Inches(8.0), Inches(1.8), width=Inches(4.8))
        if spec.movie is not None:
            slide.shapes.add_movie(str(spec.movie), Inches(8.0), Inches(1.8), Inches(4.8), Inches(2.7),
                                   poster_frame_image=str(spec.movie_poster) if spec.movie_poster else None,
                                   mime_type="video/mp4")
        if spec.notes:
            slide.notes_slide.notes_text_frame.text = spec.notes
    path.parent.mkdir(parents=True, exist_ok=True)
    presentation.save(str(path))
    normalise_package(path, created)
    return path


# --- Excel and CSV --------------------------------------------------------------------------------

@dataclass
class Sheet:
    name: str
    rows: Sequence[Sequence[object]]
    widths: Sequence[int] = ()
    #: Rows above the header (a title line, a blank line); the header row is bold and frozen.
    header_row: int = 1


def xlsx(path: Path, sheets: Sequence[Sheet], *, title: str, author: str, created: datetime) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title, workbook.properties.creator = title, author
    workbook.properties.lastModifiedBy = author
    workbook.properties.created = workbook.properties.modified = created
    fill = PatternFill("solid", fgColor="D9E2F3")
    for spec in sheets:
        sheet = workbook.create_sheet(spec.name)
        for row in spec.rows:
            sheet.append(list(row))
        if spec.header_row:
            for cell in sheet[spec.header_row]:
                cell.font = Font(bold=True)
                cell.fill = fill
            sheet.freeze_panes = sheet.cell(row=spec.header_row + 1, column=1)
        if spec.header_row > 1:
            sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(path))
    normalise_package(path, created)
    return path


def csv_file(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """A CSV as Excel's 'CSV UTF-8' saves it: a byte-order mark and CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if v is None else str(v) for v in row] for row in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    return path


def text_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


# --- PDF ------------------------------------------------------------------------------------------

_PAGE_WIDTH, _PAGE_HEIGHT, _MARGIN = 595, 842, 56
_STYLES = {"h1": ("F2", 15, 22), "h2": ("F2", 12, 18), "p": ("F1", 10, 13.5), "small": ("F3", 8, 11),
           "row": ("F4", 8, 11)}
_WRAP = {"h1": 60, "h2": 75, "p": 95, "small": 120, "row": 105}


def _pdf_escape(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2022", "-").replace("\u00a3", "GBP ")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf_lines(blocks: Sequence[Block]) -> list[tuple[str, str]]:
    """(style, line) pairs: paragraphs wrapped, tables laid out in fixed-width columns."""
    lines: list[tuple[str, str]] = []
    for kind, content in blocks:
        if kind in ("h1", "h2", "p", "small"):
            if kind.startswith("h") and lines:
                lines.append(("p", ""))
            lines += [(kind, line) for line in textwrap.wrap(str(content), _WRAP[kind])] or [("p", "")]
        elif kind in ("bullets", "numbered"):
            for number, item in enumerate(content, start=1):
                mark = "-" if kind == "bullets" else f"{number}."
                wrapped = textwrap.wrap(str(item), _WRAP["p"] - 4)
                lines += [("p", (f"{mark} " if i == 0 else "   ") + part) for i, part in enumerate(wrapped)]
        elif kind in ("table", "fields"):
            rows = [list(map(str, r)) for r in content] if kind == "table" else [[k, v] for k, v in content]  # type: ignore[misc]
            widths = [min(max(len(r[c]) for r in rows if c < len(r)), 40) for c in range(max(map(len, rows)))]
            for row in rows:
                cells = [textwrap.wrap(cell, widths[c]) or [""] for c, cell in enumerate(row)]
                for depth in range(max(map(len, cells))):
                    lines.append(("row", "  ".join((cell[depth] if depth < len(cell) else "").ljust(widths[c])
                                                  for c, cell in enumerate(cells)).rstrip()))
            lines.append(("p", ""))
        else:
            raise ValueError(f"unknown block {kind}")
    return lines


def _pdf_date(when: datetime) -> str:
    return when.strftime("D:%Y%m%d%H%M%S+00'00'")


def pdf(path: Path, blocks: Sequence[Block], *, title: str, author: str, created: datetime,
        producer: str = "Microsoft\u00ae Word for Microsoft 365", user_password: str | None = None) -> Path:
    """A PDF with a real text layer, paginated A4, written object by object (no PDF library writes one)."""
    pages: list[list[tuple[str, str]]] = [[]]
    height = 0.0
    for style, line in _pdf_lines(blocks):
        leading = _STYLES[style][2]
        if height + leading > _PAGE_HEIGHT - 2 * _MARGIN:
            pages.append([])
            height = 0.0
        pages[-1].append((style, line))
        height += leading
    fonts = {"F1": "Helvetica", "F2": "Helvetica-Bold", "F3": "Helvetica-Oblique", "F4": "Courier"}
    font_ids = {name: 3 + 2 * len(pages) + i for i, name in enumerate(fonts)}
    info_id = 3 + 2 * len(pages) + len(fonts)
    objects: list[bytes] = []
    for number, lines in enumerate(pages, start=1):
        y = _PAGE_HEIGHT - _MARGIN
        commands = []
        for style, line in lines + [("small", f"{title} - page {number} of {len(pages)}")]:
            font, size, leading = _STYLES[style]
            if style == "small" and line.startswith(f"{title} - page"):
                y = _MARGIN / 2
            else:
                y -= leading
            if line:
                commands.append(f"BT /{font} {size} Tf {_MARGIN} {y:.1f} Td ({_pdf_escape(line)}) Tj ET")
        stream = "\n".join(commands).encode("latin-1", errors="replace")
        resources = " ".join(f"/{name} {font_ids[name]} 0 R" for name in fonts)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_WIDTH} {_PAGE_HEIGHT}] "
                       f"/Contents {3 + 2 * (number - 1) + 1} 0 R /Resources << /Font << {resources} >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    body = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode()]
    body += objects
    body += [f"<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>".encode()
             for base in fonts.values()]
    info = (f"<< /Title ({_pdf_escape(title)}) /Author ({_pdf_escape(author)}) /Producer ({_pdf_escape(producer)}) "
            f"/CreationDate ({_pdf_date(created)}) /ModDate ({_pdf_date(created)}) >>")
    body.append(info.encode("latin-1", errors="replace"))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, info_id, xref)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    if user_password is not None:
        _encrypt_pdf(path, user_password)
    return path


def _encrypt_pdf(path: Path, user_password: str) -> None:
    """Password-protect a PDF as Word's 'Encrypt with password' does (RC4 128-bit), reproducibly."""
    import hashlib

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject

    writer = PdfWriter(clone_from=PdfReader(str(path)))
    # pypdf draws a random file identifier, and the RC4 key derives from it; a fixed one keeps the
    # file reproducible (the identifier only has to be unique, and the content hash makes it so).
    identifier = ByteStringObject(hashlib.md5(path.read_bytes()).digest())

    def fixed_identifiers() -> None:
        writer._ID = ArrayObject((identifier, identifier))

    writer.generate_file_identifiers = fixed_identifiers  # type: ignore[method-assign]
    writer.encrypt(user_password=user_password, owner_password=user_password + "-owner", algorithm="RC4-128")
    with open(path, "wb") as handle:
        writer.write(handle)


# --- photos ---------------------------------------------------------------------------------------

@dataclass
class Photo:
    """A simple generated scene: a backdrop, a few objects, and annotations as on a marked-up photo."""

    backdrop: tuple[tuple[int, int, int], tuple[int, int, int]]
    objects: Sequence[tuple[str, tuple[int, int, int]]] = ()
    labels: Sequence[str] = ()
    seed: int = 1
    size: tuple[int, int] = (480, 360)
    camera: tuple[str, str] = ("Google", "Pixel 7")


def jpeg(path: Path, photo: Photo, taken: datetime) -> Path:
    """A JPEG with EXIF (camera, date taken), drawn with Pillow."""
    from PIL import Image, ImageDraw

    rng = random.Random(photo.seed)
    width, height = photo.size
    image = Image.new("RGB", photo.size, photo.backdrop[0])
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.45, 0.6))
    draw.rectangle([0, horizon, width, height], fill=photo.backdrop[1])
    for shape, colour in photo.objects:
        x = rng.randint(10, width - 130)
        y = rng.randint(horizon - 90, horizon + 40)
        w, h = rng.randint(50, 120), rng.randint(40, 90)
        if shape == "box":
            draw.rectangle([x, y, x + w, y + h], fill=colour, outline=(30, 30, 30))
        elif shape == "round":
            draw.ellipse([x, y, x + w, y + h], fill=colour, outline=(30, 30, 30))
        elif shape == "tent":
            draw.polygon([(x, y + h), (x + w // 2, y), (x + w, y + h)], fill=colour, outline=(30, 30, 30))
        elif shape == "person":
            draw.ellipse([x + 10, y, x + 26, y + 16], fill=colour)
            draw.rectangle([x + 8, y + 16, x + 28, y + 50], fill=colour)
        elif shape == "stand":
            draw.line([x + 20, y, x + 20, y + h], fill=colour, width=4)
            draw.rectangle([x, y - 16, x + 40, y], fill=colour)
    image = _as_photographed(image, rng)
    draw = ImageDraw.Draw(image)
    for index, label in enumerate(photo.labels):
        tx, ty = 8, 8 + index * 22
        box = draw.textbbox((tx + 4, ty + 3), label)
        draw.rectangle([tx, ty, box[2] + 4, box[3] + 4], fill=(255, 255, 230), outline=(200, 0, 0))
        draw.text((tx + 4, ty + 3), label, fill=(160, 0, 0))
        target = (rng.randint(60, width - 60), rng.randint(horizon - 40, height - 30))
        draw.line([(box[2] + 4, ty + 10), target], fill=(220, 0, 0), width=2)
        draw.ellipse([target[0] - 4, target[1] - 4, target[0] + 4, target[1] + 4], outline=(220, 0, 0), width=2)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = photo.camera  # Make, Model
    exif[0x0132] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTime
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = exif_ifd[0x9004] = taken.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal, Digitized
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=72, exif=exif.tobytes())
    return path


def _as_photographed(image: Any, rng: random.Random) -> Any:
    """Light falling off towards the top and sensor grain, as in a phone photo. Flat fills of a bright
    colour read as paper to the scan detector; a real photo's sky and ground are never that even.
    The grain comes from ``rng``, so the samples stay byte-identical between builds."""
    from PIL import Image

    width, height = image.size
    falloff = Image.linear_gradient("L").resize((width, height)).point(lambda v: max(0, 255 - 2 * v))
    image = Image.composite(Image.new("RGB", image.size, (70, 95, 130)), image, falloff)
    grain = Image.frombytes("L", image.size, rng.randbytes(width * height)).convert("RGB")
    return Image.blend(image, grain, 0.15)


# --- audio and video ------------------------------------------------------------------------------

@dataclass
class ClipCache:
    """Identical clips are encoded once per run and copied; samples built in parallel share it."""

    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sample-clips-")))
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


#: The ffmpeg build (bundled with imageio-ffmpeg) the committed clips were encoded with. Another
#: build may encode the same clip to other bytes, so byte-for-byte rebuilds are only promised with it.
FFMPEG_VERSION = "n9.0.2-17-g2a571b6068-20260930"


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


#: Test patterns ffmpeg draws, so each clip looks different. Each is a still picture...
PATTERNS = ("smptebars", "rgbtestsrc", "pal75bars", "smptehdbars", "yuvtestsrc", "pal100bars")
#: ...with a white square moving across it, so the clip is not a still: H.264 codes a moved square in
#: a few bytes a frame, so a full-size picture costs little more than a tiny one.
MOVING_SQUARE = "color=c=white:size=80x80:rate=2[square];[pattern][square]overlay=x=mod(t*20\\,560):y=140:shortest=1"
#: 640x360: the catalogues' legible minimum is 360 pixels on the shorter side.
CLIP_SIZE = "640x360"


#: The apprentice speaking to camera, drawn over the pattern (see `presenter_png`): skin, hair and top
#: colours, one set per apprentice, so the face check has a face to find, as in a real clip.
PRESENTERS = (((224, 180, 150), (50, 35, 25), (40, 60, 120)), ((150, 100, 70), (20, 15, 15), (120, 40, 50)),
              ((240, 200, 170), (160, 90, 40), (30, 90, 70)), ((105, 70, 50), (15, 10, 10), (90, 90, 100)),
              ((200, 150, 115), (70, 45, 30), (150, 110, 40)))
#: With a presenter the square moves along the foot of the picture, under the face.
MOVING_SQUARE_LOW = "color=c=white:size=80x80:rate=2[square];[scene][square]overlay=x=mod(t*20\\,560):y=280:shortest=1"


def presenter_png(path: Path, variant: int) -> Path:
    """A drawn head and shoulders on the right of a transparent 640x360 picture: a stylised apprentice
    facing the camera, shaded as light falls on a face (forehead, cheeks and nose lighter than the eyes)
    so that OpenCV's frontal face cascade finds it, whatever the skin tone, as it finds a real face."""
    from PIL import Image, ImageDraw, ImageFilter

    skin, hair, top = PRESENTERS[variant % len(PRESENTERS)]
    shade = tuple(max(0, c - 25) for c in skin)
    light = tuple(min(255, c + 45) for c in skin)
    picture = Image.new("RGBA", (640, 360), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    cx, cy = 470, 170
    draw.ellipse([cx - 120, cy + 95, cx + 120, cy + 220], fill=(*top, 255))
    draw.rectangle([cx - 22, cy + 70, cx + 22, cy + 110], fill=(*shade, 255))
    draw.ellipse([cx - 70, cy - 105, cx + 70, cy + 40], fill=(*hair, 255))
    draw.ellipse([cx - 58, cy - 80, cx + 58, cy + 80], fill=(*skin, 255))
    draw.ellipse([cx - 40, cy - 70, cx + 40, cy - 35], fill=(*light, 255))
    for side in (-1, 1):
        eye = cx + side * 32
        draw.ellipse([cx + side * 34 - 20, cy + 5, cx + side * 34 + 20, cy + 35], fill=(*light, 255))
        draw.rectangle([eye - 16, cy - 32, eye + 16, cy - 26], fill=(*hair, 255))
        draw.ellipse([eye - 13, cy - 20, eye + 13, cy - 8], fill=(245, 245, 245, 255))
        draw.ellipse([eye - 6, cy - 19, eye + 6, cy - 9], fill=(40, 30, 25, 255))
    draw.rectangle([cx - 7, cy - 25, cx + 7, cy + 10], fill=(*light, 255))
    draw.polygon([(cx, cy - 5), (cx - 10, cy + 22), (cx + 10, cy + 22)], fill=(*shade, 255))
    draw.ellipse([cx - 22, cy + 38, cx + 22, cy + 50], fill=(120, 60, 60, 255))
    picture.filter(ImageFilter.GaussianBlur(1.5)).save(path, format="PNG")
    return path


def clip(path: Path, seconds: float, cache: ClipCache, kind: str = "video", pattern: int = 0,
         tone: int = 220, presenter: int | None = None) -> Path:
    """A real clip of ``seconds``: ``video`` (H.264 and AAC in MP4, 640x360 at 2 fps) or ``audio`` (AAC in M4A).

    A still pattern under a moving square and a speech-band bitrate keep a six-minute clip near
    450 KB (most of it the sound: the picture is about 80 KB); the bit-exact flags, single thread
    and stripped metadata make the bytes the same on every run. With ``presenter`` (a variant of
    `PRESENTERS`), the apprentice is drawn over the pattern, facing the camera.
    """
    suffix = ".mp4" if kind == "video" else ".m4a"
    person = "" if presenter is None or kind != "video" else f"-presenter{presenter}"
    cached = cache.folder / f"{kind}-{seconds:g}-{pattern}-{tone}{person}{suffix}"
    with cache.lock(cached.name):
        if not cached.exists():
            _encode(cached, seconds, kind, pattern, tone, presenter)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, path)
    return path


def _encode(target: Path, seconds: float, kind: str, pattern: int, tone: int, presenter: int | None = None) -> None:
    sound = ["-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=8000:duration={seconds}"]
    audio = ["-c:a", "aac", "-aac_coder", "fast", "-ac", "1", "-b:a", "8k", "-flags:a", "+bitexact"]
    if kind == "video":
        pattern_source = f"{PATTERNS[pattern % len(PATTERNS)]}=size={CLIP_SIZE}:rate=2:duration={seconds}"
        video = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "38", "-pix_fmt", "yuv420p",
                 "-x264-params", "threads=1", "-flags:v", "+bitexact"]
        if presenter is None:
            picture = ["-f", "lavfi", "-i", f"{pattern_source}[pattern];{MOVING_SQUARE}[out0]"]
            args = [*picture, *sound, *video, *audio, "-shortest"]
        else:
            person = presenter_png(target.with_suffix(".png"), presenter)
            graph = f"[0:v][1:v]overlay=shortest=1[scene];{MOVING_SQUARE_LOW}[picture]"
            args = ["-f", "lavfi", "-i", pattern_source, "-loop", "1", "-framerate", "2", "-i", str(person), *sound,
                    "-filter_complex", graph, "-map", "[picture]", "-map", "2:a", *video, *audio, "-shortest"]
    else:
        args = [*sound, *audio]
    subprocess.run([ffmpeg(), "-y", "-loglevel", "error", *args, "-threads", "1", "-map_metadata", "-1",
                    "-fflags", "+bitexact", "-movflags", "+faststart", str(target)], check=True)
