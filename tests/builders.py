"""Build real evidence files with the real libraries, for tests that need whole portfolios.

Media clips come from the ffmpeg that moviepy installs (imageio-ffmpeg), tiny in resolution so
that even long clips are small; identical requests are served from a per-process cache.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
import zlib
from datetime import datetime
from pathlib import Path

_CLIP_CACHE = Path(tempfile.mkdtemp(prefix="pc-clips-"))
# The cache lives as long as the test process; nothing is left behind in the temporary folder.
atexit.register(shutil.rmtree, _CLIP_CACHE, ignore_errors=True)


def docx(path: Path, paragraphs: list[str], title: str = "", author: str = "Test Apprentice",
         table: list[list[str]] | None = None, created: datetime | None = datetime(2026, 3, 2, 9, 30)) -> Path:
    """A Word document; ``created`` is fixed by default (python-docx's template says 2013)."""
    from docx import Document

    document = Document()
    if created is not None:
        document.core_properties.created = created
        document.core_properties.modified = created
    if title:
        document.add_heading(title, level=1)
        document.core_properties.title = title
    document.core_properties.author = author
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def pptx(path: Path, slides: list[str], notes: list[str] | None = None, movie: Path | None = None) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    for index, text in enumerate(slides):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = text
        slide.placeholders[1].text = f"{text}: details"
        if notes and index < len(notes) and notes[index]:
            slide.notes_slide.notes_text_frame.text = notes[index]
        if movie is not None and index == 0:
            slide.shapes.add_movie(str(movie), Inches(1), Inches(1), Inches(2), Inches(2), mime_type="video/mp4")
    path.parent.mkdir(parents=True, exist_ok=True)
    presentation.save(str(path))
    return path


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(path: Path, pages: list[list[str]], user_password: str | None = None, owner_password: str | None = None) -> Path:
    """A PDF with a real text layer: one page per list of lines, written as PDF objects by hand."""
    objects: list[bytes] = []
    page_ids = []
    font_id = 3 + 2 * len(pages)
    for index, lines in enumerate(pages):
        stream = "BT /F1 11 Tf 72 760 Td 14 TL " + " ".join(f"({_pdf_escape(line)}) '" for line in lines) + " ET"
        content_id = 3 + 2 * index + 1
        page_ids.append(3 + 2 * index)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content_id} 0 R "
                       f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode())
        data = stream.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    kids = " ".join(f"{i} 0 R" for i in page_ids)
    body = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode()]
    body += objects
    body.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(body) + 1, xref)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    if user_password is not None or owner_password is not None:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(str(path)))
        writer.encrypt(user_password=user_password or "", owner_password=owner_password or "owner",
                       algorithm="RC4-128")
        with open(path, "wb") as handle:
            writer.write(handle)
    return path


def jpeg(path: Path, size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (200, 80, 40)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG")
    return path


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def clip(path: Path, seconds: float, kind: str = "video") -> Path:
    """A real clip of ``seconds``: ``video`` (mp4 with sound), ``audio`` (mp3) or ``webm``."""
    suffix = {"video": ".mp4", "audio": ".mp3", "webm": ".webm"}[kind]
    cached = _CLIP_CACHE / f"{kind}-{seconds:g}{suffix}"
    if not cached.exists():
        cached.parent.mkdir(parents=True, exist_ok=True)
        sine = ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=8000:duration={seconds}"]
        if kind == "audio":
            args = [*sine, "-c:a", "libmp3lame", "-b:a", "8k"]
        else:
            video = ["-f", "lavfi", "-i", f"color=c=blue:size=16x16:rate=1:duration={seconds}"]
            codecs = ["-c:v", "libvpx", "-c:a", "libvorbis"] if kind == "webm" else \
                ["-c:v", "mpeg4", "-c:a", "aac", "-b:a", "8k"]
            args = [*video, *sine, *codecs, "-shortest"]
        subprocess.run([ffmpeg(), "-y", "-loglevel", "error", *args, str(cached)], check=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, path)
    return path
