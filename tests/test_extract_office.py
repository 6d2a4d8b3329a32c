"""Word, PowerPoint and Excel extraction, on packages built here with the real libraries and on the corpus."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from portfolio_check.extract import office
from portfolio_check.extract.model import (
    EXTERNAL_LINK,
    FILE_EMPTY,
    FILE_ENCRYPTED,
    FILE_UNREADABLE,
    MACRO_ENABLED,
    UNSAFE_FILE,
    EmbeddedPart,
    Extraction,
    ExtractionProblem,
)
from portfolio_check.extract.office import findings as office_findings
from portfolio_check.extract.office import legacy as office_legacy
from portfolio_check.extract.office import package as office_package
from portfolio_check.extract.office import spreadsheet as office_spreadsheet

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
SHAREPOINT_VIDEO = "https://contoso.sharepoint.com/sites/apprentices/Shared%20Documents/observation.mp4"

BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE w:document [\n<!ENTITY lol "lol">\n'
    + b"".join(b'<!ENTITY lol%d "%s">\n' % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
               for level in range(1, 10))
    + b"]>\n"
)


# ------------------------------------------------------------------------------------------------
# Fixture builders


def _extract(extractor, path: Path) -> Extraction:
    with path.open("rb") as stream:
        return extractor(stream, path.stat().st_size)


def _problem(extractor, path: Path) -> ExtractionProblem:
    with pytest.raises(ExtractionProblem) as raised:
        _extract(extractor, path)
    return raised.value


def _picture(path: Path, color: str = "red", kind: str = "PNG") -> Path:
    from PIL import Image

    Image.new("RGB", (40, 30), color).save(path, kind)
    return path


def _rewrite(source: Path, target: Path, replace: dict[str, bytes | None] | None = None,
             add: dict[str, bytes] | None = None) -> Path:
    """Copy a package member by member, replacing (None: dropping) and adding members."""
    replace = replace or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    new.writestr(info.filename, replace[info.filename])
            else:
                new.writestr(info.filename, old.read(info))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


def _member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(name)


def _add_relationship(rels: bytes, rel_id: str, rel_type: str, target: str, external: bool = True) -> bytes:
    mode = ' TargetMode="External"' if external else ""
    entry = f'<Relationship Id="{rel_id}" Type="{rel_type}" Target="{target}"{mode}/>'.encode()
    return rels.replace(b"</Relationships>", entry + b"</Relationships>")


@pytest.fixture(scope="module")
def word_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import docx

    folder = tmp_path_factory.mktemp("word")
    document = docx.Document()
    document.add_heading("Evidence of practice", level=1)
    document.add_paragraph("I confirm this is my own work.")
    document.add_paragraph("The observation took place on site.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "KSB"
    table.cell(0, 1).text = "Evidence"
    table.cell(1, 0).text = "K5"
    table.cell(1, 1).text = "Witness statement"
    document.add_picture(str(_picture(folder / "photo.png")))
    document.sections[0].header.paragraphs[0].text = "Portfolio header"
    properties = document.core_properties
    properties.author = "Ada Apprentice"
    properties.title = "Observation record"
    properties.created = datetime(2024, 3, 5, 9, 30, 0)
    path = folder / "evidence.docx"
    document.save(path)
    return path


@pytest.fixture(scope="module")
def movie_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import imageio_ffmpeg

    path = tmp_path_factory.mktemp("movie") / "clip.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=32x32:rate=5",
                    "-t", "2", "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def _presentation(path: Path, slides: int, picture: Path | None = None, movie: Path | None = None) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    for number in range(1, slides + 1):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = f"Slide title {number}"
        slide.placeholders[1].text = f"Point made on slide {number}"
        if number % 2 == 1:
            slide.notes_slide.notes_text_frame.text = f"Speaker notes for slide {number}"
        if number == 2 and picture is not None:
            slide.shapes.add_picture(str(picture), Inches(1), Inches(1))
            table = slide.shapes.add_table(2, 2, Inches(1), Inches(3), Inches(4), Inches(1)).table
            table.cell(0, 0).text = "Table heading"
            table.cell(1, 1).text = "Table value"
        if number == 3 and movie is not None:
            slide.shapes.add_movie(str(movie), Inches(1), Inches(1), Inches(2), Inches(2), mime_type="video/mp4")
    presentation.core_properties.author = "Ada Apprentice"
    presentation.core_properties.title = "Project showcase"
    presentation.save(path)
    return path


@pytest.fixture(scope="module")
def powerpoint_file(tmp_path_factory: pytest.TempPathFactory, movie_file: Path) -> Path:
    folder = tmp_path_factory.mktemp("powerpoint")
    return _presentation(folder / "showcase.pptx", 4, picture=_picture(folder / "chart.png", "blue"), movie=movie_file)


def _workbook(path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    log = workbook.active
    log.title = "Learning log"
    log.append(["Date", "Activity", "Hours", "KSB"])
    log.append(["2024-01-08", "Shadowed engineer", 6, "K1"])
    log.append(["2024-01-09", "Wrote report", 4])
    log.append([])
    log.append(["Total", None, "=SUM(C2:C3)"])
    summary = workbook.create_sheet("Summary")
    summary["B2"] = "Off-the-job hours"
    workbook.save(path)
    return path


# ------------------------------------------------------------------------------------------------
# Word


def test_word_text_counts_and_properties(word_file: Path) -> None:
    result = _extract(office.extract_word, word_file)
    meta = result.metadata
    assert meta["title"] == "Observation record"
    assert meta["author"] == "Ada Apprentice"
    assert meta["created"] == "2024-03-05T09:30:00+00:00"
    assert datetime.fromisoformat(meta["modified"])
    assert meta["tables"] == 1
    assert meta["images"] == 1
    assert meta["paragraphs"] == 7  # heading, 2 paragraphs, 4 table cells (the picture's paragraph is empty)
    assert meta["words"] == 3 + 7 + 6 + 5
    assert meta["embedded_media_count"] == 0 and result.embedded_media == []
    assert meta["external_links"] == [] and result.problems == []
    assert meta["text_truncated"] is False
    lines = result.text.splitlines()
    assert lines[:3] == ["Evidence of practice", "I confirm this is my own work.",
                         "The observation took place on site."]
    assert "Witness statement" in lines and lines[-1] == "Portfolio header"


def test_word_text_in_content_controls_and_text_boxes_once(word_file: Path, tmp_path: Path) -> None:
    # A content control and a text box whose Fallback (VML) branch repeats the text, as Word writes them.
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    extra = (
        f'<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>Learner name: Ada</w:t></w:r></w:p></w:sdtContent></w:sdt>'
        f'<w:p {w} {mc}><w:r><w:t>Before box</w:t></w:r><w:r><mc:AlternateContent>'
        '<mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>Inside the box</w:t></w:r></w:p>'
        '</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r>'
        '<w:t>Inside the box</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>'
    ).encode()
    body = _member(word_file, "word/document.xml").replace(b"<w:sectPr", extra + b"<w:sectPr", 1)
    path = _rewrite(word_file, tmp_path / "controls.docx", {"word/document.xml": body})
    result = _extract(office.extract_word, path)
    assert "Learner name: Ada" in result.text
    assert "Before box" in result.text
    assert result.text.count("Inside the box") == 1


def test_word_macro_enabled_is_reported_and_still_read(word_file: Path, tmp_path: Path) -> None:
    types = _member(word_file, "[Content_Types].xml").replace(WORD_MAIN.encode(), WORD_MACRO_MAIN.encode())
    types = types.replace(b"</Types>", b'<Override PartName="/word/vbaProject.bin" '
                                       b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = _add_relationship(_member(word_file, "word/_rels/document.xml.rels"), "rIdVba",
                             "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin",
                             external=False)
    path = _rewrite(word_file, tmp_path / "macros.docm",
                    {"[Content_Types].xml": types, "word/_rels/document.xml.rels": rels},
                    {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)})
    result = _extract(office.extract_word, path)
    assert [p.code for p in result.problems] == [MACRO_ENABLED]
    assert "macros" in result.problems[0].message and ".docx" in result.problems[0].fix
    assert result.metadata["title"] == "Observation record"
    assert "I confirm this is my own work." in result.text


def test_word_linked_video_is_a_problem_and_hyperlinks_are_only_listed(word_file: Path, tmp_path: Path) -> None:
    rels = _member(word_file, "word/_rels/document.xml.rels")
    rels = _add_relationship(rels, "rIdLink", RT + "hyperlink", "https://www.gov.uk/apprenticeships")
    rels = _add_relationship(rels, "rIdMail", RT + "hyperlink", "mailto:assessor@example.org")
    only_hyperlinks = _rewrite(word_file, tmp_path / "links.docx", {"word/_rels/document.xml.rels": rels})
    result = _extract(office.extract_word, only_hyperlinks)
    assert result.metadata["external_links"] == ["https://www.gov.uk/apprenticeships"]
    assert result.problems == []

    rels = _add_relationship(rels, "rIdVideo", RT + "video", SHAREPOINT_VIDEO)
    rels = _add_relationship(rels, "rIdClip", RT + "audio", "interview.m4a")
    linked = _rewrite(word_file, tmp_path / "linked.docx", {"word/_rels/document.xml.rels": rels})
    result = _extract(office.extract_word, linked)
    assert result.metadata["external_links"] == ["https://www.gov.uk/apprenticeships", SHAREPOINT_VIDEO,
                                                 "interview.m4a"]
    messages = [p.message for p in result.problems if p.code == EXTERNAL_LINK]
    assert len(messages) == 2 and len(result.problems) == 2
    assert "a video on SharePoint" in messages[0] and SHAREPOINT_VIDEO in messages[0]
    assert "an audio recording in a separate file" in messages[1]
    assert result.embedded_media == []


def test_word_online_video_is_a_problem(word_file: Path, tmp_path: Path) -> None:
    html = ("&lt;iframe width=&quot;480&quot; height=&quot;270&quot; "
            "src=&quot;https://www.youtube.com/embed/abc123?feature=oembed&quot; "
            "frameborder=&quot;0&quot;&gt;&lt;/iframe&gt;")
    video = (f'<wp15:webVideoPr xmlns:wp15="http://schemas.microsoft.com/office/word/2012/wordprocessingDrawing" '
             f'embeddedHtml="{html}" h="270" w="480"/>').encode()
    w = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = _member(word_file, "word/document.xml").replace(
        b"<w:sectPr", b"<w:p " + w + b"><w:r><w:t>Watch this</w:t></w:r>" + video + b"</w:p><w:sectPr", 1)
    path = _rewrite(word_file, tmp_path / "online.docx", {"word/document.xml": body})
    result = _extract(office.extract_word, path)
    assert result.metadata["external_links"] == ["https://www.youtube.com/embed/abc123?feature=oembed"]
    assert [p.code for p in result.problems] == [EXTERNAL_LINK]
    assert "an online video on YouTube" in result.problems[0].message


def test_word_thumbnail(word_file: Path, tmp_path: Path) -> None:
    # python-docx's template carries a JPEG thumbnail; drop it, then point the package at a PNG one
    without = _rewrite(word_file, tmp_path / "bare.docx", {"docProps/thumbnail.jpeg": None})
    with without.open("rb") as stream:
        assert office.office_thumbnail(stream, without.stat().st_size) is None
    png = _picture(tmp_path / "thumb.png", "green").read_bytes()
    rels = _member(word_file, "_rels/.rels").replace(b"docProps/thumbnail.jpeg", b"docProps/preview.png")
    path = _rewrite(word_file, tmp_path / "thumb.docx", {"_rels/.rels": rels}, {"docProps/preview.png": png})
    with path.open("rb") as stream:
        assert office.office_thumbnail(stream, path.stat().st_size) == ("image/png", png)
    assert _extract(office.extract_word, path).metadata["images"] == 1  # the thumbnail is no picture of the document
    oversized = _rewrite(word_file, tmp_path / "big.docx",
                         {"docProps/thumbnail.jpeg": b"\xff\xd8\xff" + bytes(2 * 1024**2)})
    with oversized.open("rb") as stream:
        assert office.office_thumbnail(stream, oversized.stat().st_size) is None


def test_word_read_from_a_member_of_a_zip(word_file: Path, tmp_path: Path) -> None:
    outer = tmp_path / "portfolio.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(word_file, "unit 1/evidence.docx")
    with zipfile.ZipFile(outer) as archive, archive.open("unit 1/evidence.docx") as member:
        result = office.extract_word(member, word_file.stat().st_size)
    assert result.metadata["title"] == "Observation record"


def test_text_is_capped(word_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office_findings, "TEXT_LIMIT", 30)
    result = _extract(office.extract_word, word_file)
    assert result.text == "Evidence of practice\nI confirm"
    assert result.metadata["text_truncated"] is True
    assert result.metadata["words"] == 21  # counts are not capped


# ------------------------------------------------------------------------------------------------
# Damaged, unusual and hostile packages


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    assert _problem(office.extract_word, path).code == FILE_EMPTY


def test_truncated_package(word_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "truncated.docx"
    path.write_bytes(word_file.read_bytes()[: word_file.stat().st_size // 2])
    problem = _problem(office.extract_word, path)
    assert problem.code == FILE_UNREADABLE and "damaged or truncated" in problem.message


def test_missing_main_part(word_file: Path, tmp_path: Path) -> None:
    path = _rewrite(word_file, tmp_path / "hollow.docx", {"word/document.xml": None})
    problem = _problem(office.extract_word, path)
    assert problem.code == FILE_UNREADABLE
    assert "not a complete Word document" in problem.message and "word/document.xml" in problem.message


def test_not_an_office_package(word_file: Path, tmp_path: Path) -> None:
    path = _rewrite(word_file, tmp_path / "plain.docx", {"[Content_Types].xml": None})
    problem = _problem(office.extract_word, path)
    assert problem.code == FILE_UNREADABLE and "[Content_Types].xml" in problem.message


def test_presentation_handed_to_the_word_extractor(powerpoint_file: Path) -> None:
    problem = _problem(office.extract_word, powerpoint_file)
    assert problem.code == FILE_UNREADABLE
    assert "PowerPoint presentation" in problem.message and ".pptx" in problem.fix


def test_malformed_xml_is_unreadable(word_file: Path, tmp_path: Path) -> None:
    body = _member(word_file, "word/document.xml")
    path = _rewrite(word_file, tmp_path / "broken.docx", {"word/document.xml": body[: len(body) // 2]})
    assert _problem(office.extract_word, path).code == FILE_UNREADABLE


def test_damaged_parts_raise_only_extraction_problems(word_file: Path, powerpoint_file: Path, tmp_path: Path) -> None:
    """Every XML part cut in half, one at a time: the result is an extraction or a recognised problem."""
    workbook = _workbook(tmp_path / "log.xlsx")
    outcomes = set()
    for source, extractor in ((word_file, office.extract_word), (powerpoint_file, office.extract_powerpoint),
                              (workbook, office.extract_spreadsheet)):
        with zipfile.ZipFile(source) as package:
            parts = [name for name in package.namelist() if name.endswith((".xml", ".rels"))]
        for number, part in enumerate(parts):
            data = _member(source, part)
            damaged = _rewrite(source, tmp_path / f"damaged{number}{source.suffix}", {part: data[: len(data) // 2]})
            try:
                _extract(extractor, damaged)
                outcomes.add("read")
            except ExtractionProblem as problem:
                outcomes.add(problem.code)
    assert outcomes == {"read", FILE_UNREADABLE}  # some parts are optional (app.xml, a theme...)


@pytest.mark.parametrize("encrypted", [True, False])
def test_ole_container(tmp_path: Path, encrypted: bool) -> None:
    header = bytearray(office.OLE_SIGNATURE + bytes(504))
    header[30:32] = (9).to_bytes(2, "little")  # 512-byte sectors
    header[48:52] = (0).to_bytes(4, "little")  # directory in sector 0, just after the header
    entry = ("EncryptionInfo" if encrypted else "WordDocument").encode("utf-16-le").ljust(128, b"\0")
    path = tmp_path / "locked.docx"
    path.write_bytes(bytes(header) + "Root Entry".encode("utf-16-le").ljust(128, b"\0") + entry + bytes(256))
    problem = _problem(office.extract_word, path)
    if encrypted:
        assert problem.code == FILE_ENCRYPTED and "password" in problem.message
    else:
        assert problem.code == FILE_UNREADABLE and "old-format" in problem.message


def test_zip_bomb_member(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        with package.open("word/media/image1.png", "w") as member:
            zeros = bytes(1024 * 1024)
            for _ in range(200):
                member.write(zeros)
    assert path.stat().st_size < 2 * 1024**2
    problem = _problem(office.extract_word, path)
    assert problem.code == UNSAFE_FILE and "zip bomb" in problem.message
    with path.open("rb") as stream, pytest.raises(ExtractionProblem):
        office.check_package_safety(stream, path.stat().st_size)


def test_too_many_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "crowded.pptx"
    with zipfile.ZipFile(path, "w") as package:
        for number in range(office.MAX_MEMBERS + 1):
            package.writestr(f"ppt/slides/slide{number}.xml", b"")
    problem = _problem(office.extract_powerpoint, path)
    assert problem.code == UNSAFE_FILE and "10,001" in problem.message
    monkeypatch.setattr(office_package, "_declared_member_count", lambda source: None)  # the check after zipfile's
    problem = _problem(office.extract_powerpoint, path)
    assert problem.code == UNSAFE_FILE and "10,001" in problem.message


@pytest.mark.parametrize("name", ["../outside.xml", "/etc/cron.d/job", "word/../../x.xml", "C:/Windows/x.xml"])
def test_member_names_leaving_the_package(word_file: Path, tmp_path: Path, name: str) -> None:
    path = _rewrite(word_file, tmp_path / "escape.docx", add={name: b"<x/>"})
    assert _problem(office.extract_word, path).code == UNSAFE_FILE


def test_size_limits(word_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office_package, "MAX_XML_PART", 4096)  # styles.xml is bigger
    problem = _problem(office.extract_word, word_file)
    assert problem.code == UNSAFE_FILE and "XML part" in problem.message
    monkeypatch.setattr(office_package, "MAX_XML_PART", 64 * 1024**2)
    monkeypatch.setattr(office_package, "MAX_TOTAL_UNCOMPRESSED", 10_000)
    problem = _problem(office.extract_word, word_file)
    assert problem.code == UNSAFE_FILE and "unpacks to" in problem.message


def test_billion_laughs_is_refused(word_file: Path, tmp_path: Path) -> None:
    body = _member(word_file, "word/document.xml").split(b"?>", 1)[1]
    body = BILLION_LAUGHS + body.replace(b"I confirm", b"&lol9; I confirm", 1)
    path = _rewrite(word_file, tmp_path / "laughs.docx", {"word/document.xml": body})
    problem = _problem(office.extract_word, path)
    assert problem.code == UNSAFE_FILE and "entity declarations" in problem.message


def test_external_entity_in_core_properties_is_refused(word_file: Path, tmp_path: Path) -> None:
    core = _member(word_file, "docProps/core.xml").split(b"?>", 1)[1]
    core = (b'<?xml version="1.0"?><!DOCTYPE cp:coreProperties [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
            + core.replace(b"Observation record", b"&xxe;"))
    path = _rewrite(word_file, tmp_path / "xxe.docx", {"docProps/core.xml": core})
    problem = _problem(office.extract_word, path)
    assert problem.code == UNSAFE_FILE and "docProps/core.xml" in problem.message


def test_doctype_hidden_by_utf16_or_comments_is_refused(word_file: Path, tmp_path: Path) -> None:
    body = _member(word_file, "word/document.xml").split(b"?>", 1)[1].decode()
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w:document [<!ENTITY a "b">]>' + body).encode("utf-16")
    commented = ('<?xml version="1.0"?>' + "<!-- padding -->" * 400 + '<!DOCTYPE x [<!ENTITY a "b">]>' + body).encode()
    utf7 = ('<?xml version="1.0" encoding="UTF-7"?>' + body).encode()
    for number, variant in enumerate((utf16, commented, utf7)):
        path = _rewrite(word_file, tmp_path / f"hidden{number}.docx", {"word/document.xml": variant})
        assert _problem(office.extract_word, path).code == UNSAFE_FILE, number


def test_entity_declarations_are_refused_in_every_part_read(powerpoint_file: Path, tmp_path: Path) -> None:
    """Relationships, slides and notes are checked as they are read, not only the main part."""
    for number, part in enumerate(("ppt/slides/_rels/slide1.xml.rels", "ppt/slides/slide3.xml",
                                   "ppt/notesSlides/notesSlide1.xml", "[Content_Types].xml")):
        xml = _member(powerpoint_file, part).split(b"?>", 1)[1]
        path = _rewrite(powerpoint_file, tmp_path / f"entity{number}.pptx",
                        {part: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + xml})
        problem = _problem(office.extract_powerpoint, path)
        assert problem.code == UNSAFE_FILE and part in problem.message, part


def test_parts_never_read_are_not_parsed(word_file: Path, tmp_path: Path) -> None:
    """A DOCTYPE in a part no reader opens (styles) cannot reach a parser: Word's reader reads the
    document; the whole-package check, used before libraries that parse every part, still refuses it."""
    styles = _member(word_file, "word/styles.xml").split(b"?>", 1)[1]
    path = _rewrite(word_file, tmp_path / "styled.docx",
                    {"word/styles.xml": BILLION_LAUGHS + styles.replace(b"<w:style ", b"<w:style w:x='&lol9;' ", 1)})
    assert "The observation took place on site." in _extract(office.extract_word, path).text
    with pytest.raises(ExtractionProblem) as refused:
        office.check_package_safety(io.BytesIO(path.read_bytes()), path.stat().st_size)
    assert refused.value.code == UNSAFE_FILE and "word/styles.xml" in refused.value.message


def test_svg_pictures_may_carry_a_doctype(word_file: Path, tmp_path: Path) -> None:
    svg = (b'<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
           b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>')
    path = _rewrite(word_file, tmp_path / "svg.docx", add={"word/media/image9.svg": svg})
    assert _extract(office.extract_word, path).metadata["title"] == "Observation record"


def test_libraries_do_not_expand_entities_even_without_the_prescan(
        word_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: with the DOCTYPE pre-scan off, nothing expands and no file leaks."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER-7391")
    monkeypatch.setattr(office_package, "_xml_prolog", lambda head, complete: "ok")
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'.encode()
    body = _member(word_file, "word/document.xml").split(b"?>", 1)[1]
    core = _member(word_file, "docProps/core.xml").split(b"?>", 1)[1]
    leaky = _rewrite(word_file, tmp_path / "leaky.docx", {
        "word/document.xml": b'<?xml version="1.0"?>' + doctype + body.replace(b"I confirm", b"&xxe;I confirm", 1),
        "docProps/core.xml": b'<?xml version="1.0"?>' + doctype + core.replace(b"Observation record", b"&xxe;"),
    })
    result = _extract(office.extract_word, leaky)
    assert "SECRET-MARKER" not in repr(result)
    assert "The observation took place on site." in result.text

    laughs = _rewrite(word_file, tmp_path / "laughs.docx", {
        "word/document.xml": BILLION_LAUGHS + body.replace(b"I confirm", b"&lol9; I confirm", 1)})
    try:
        result = _extract(office.extract_word, laughs)
    except ExtractionProblem as problem:  # libxml2 refuses the amplification
        assert problem.code == FILE_UNREADABLE
    else:
        assert "lollol" not in result.text


def test_check_package_safety_passes_a_normal_package(word_file: Path) -> None:
    with word_file.open("rb") as stream:
        assert office.check_package_safety(stream, word_file.stat().st_size) is None


# ------------------------------------------------------------------------------------------------
# PowerPoint


def test_powerpoint_slides_notes_media(powerpoint_file: Path, movie_file: Path) -> None:
    result = _extract(office.extract_powerpoint, powerpoint_file)
    meta = result.metadata
    assert meta["slides"] == 4 and meta["hidden_slides"] == 0
    assert meta["slides_with_notes"] == 2
    assert meta["title"] == "Project showcase" and meta["author"] == "Ada Apprentice"
    assert meta["images"] == 2  # the picture and the movie's poster frame
    assert result.embedded_media == [EmbeddedPart("ppt/media/media1.mp4", movie_file.stat().st_size)]
    assert meta["embedded_media_count"] == 1
    assert result.problems == []
    lines = result.text.splitlines()
    assert lines[:3] == ["--- slide 1 ---", "Slide title 1", "Point made on slide 1"]
    assert lines[3:5] == ["--- slide 1 notes ---", "Speaker notes for slide 1"]
    assert "--- slide 4 ---" in lines and "Table value" in lines and "Speaker notes for slide 2" not in result.text


def test_powerpoint_linked_video(powerpoint_file: Path, tmp_path: Path) -> None:
    rels = _add_relationship(_member(powerpoint_file, "ppt/slides/_rels/slide2.xml.rels"), "rId90",
                             RT + "video", "https://contoso-my.sharepoint.com/personal/ada/clip.mp4")
    rels = _add_relationship(rels, "rId91", "http://schemas.microsoft.com/office/2007/relationships/media",
                             "https://contoso-my.sharepoint.com/personal/ada/clip.mp4")
    path = _rewrite(powerpoint_file, tmp_path / "linked.pptx", {"ppt/slides/_rels/slide2.xml.rels": rels})
    result = _extract(office.extract_powerpoint, path)
    assert [p.code for p in result.problems] == [EXTERNAL_LINK]
    assert "links to a video on OneDrive" in result.problems[0].message


def test_powerpoint_show_and_macros(powerpoint_file: Path, tmp_path: Path) -> None:
    main = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    show = b"application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml"
    types = _member(powerpoint_file, "[Content_Types].xml").replace(main, show)
    path = _rewrite(powerpoint_file, tmp_path / "show.ppsx", {"[Content_Types].xml": types},
                    {"ppt/vbaProject.bin": b"not really"})
    result = _extract(office.extract_powerpoint, path)
    assert result.metadata["slides"] == 4
    assert [p.code for p in result.problems] == [MACRO_ENABLED] and ".pptx" in result.problems[0].fix


def test_powerpoint_slide_order_and_hidden_slides_come_from_the_presentation_part(
        powerpoint_file: Path, tmp_path: Path) -> None:
    """Slides are read in the order of ``p:sldIdLst`` (not by part name), and ``show="0"`` hides one."""
    presentation = _member(powerpoint_file, "ppt/presentation.xml")
    entries = re.findall(rb"<p:sldId [^>]*/>", presentation)
    assert len(entries) == 4
    reordered = presentation.replace(b"".join(entries), b"".join([entries[3], entries[0], entries[1], entries[2]]))
    slide4 = _member(powerpoint_file, "ppt/slides/slide4.xml").replace(b"<p:sld ", b'<p:sld show="0" ', 1)
    path = _rewrite(powerpoint_file, tmp_path / "reordered.pptx",
                    {"ppt/presentation.xml": reordered, "ppt/slides/slide4.xml": slide4})
    result = _extract(office.extract_powerpoint, path)
    assert result.metadata["slides"] == 4 and result.metadata["hidden_slides"] == 1
    lines = result.text.splitlines()
    assert lines[:2] == ["--- slide 1 ---", "Slide title 4"]


def test_powerpoint_slide_without_its_relationship_is_unreadable(powerpoint_file: Path, tmp_path: Path) -> None:
    presentation = _member(powerpoint_file, "ppt/presentation.xml")
    slide_rel = re.search(rb'<p:sldId [^>]*r:id="(rId\d+)"', presentation).group(1)
    dangling = presentation.replace(b'r:id="' + slide_rel + b'"', b'r:id="rId999"', 1)
    path = _rewrite(powerpoint_file, tmp_path / "dangling.pptx", {"ppt/presentation.xml": dangling})
    problem = _problem(office.extract_powerpoint, path)
    assert problem.code == FILE_UNREADABLE and "PowerPoint" in problem.message


@pytest.mark.parametrize("kind", ["word", "powerpoint"])
def test_main_part_of_another_vocabulary_is_unreadable(word_file: Path, powerpoint_file: Path, tmp_path: Path,
                                                       kind: str) -> None:
    """Well-formed XML whose root is not a document/presentation (a hand-edited or mislabelled part)."""
    source, part, extractor = ((word_file, "word/document.xml", office.extract_word) if kind == "word" else
                               (powerpoint_file, "ppt/presentation.xml", office.extract_powerpoint))
    path = _rewrite(source, tmp_path / f"foreign{source.suffix}",
                    {part: b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'})
    problem = _problem(extractor, path)
    assert problem.code == FILE_UNREADABLE


def test_fifty_slides(tmp_path: Path) -> None:
    path = _presentation(tmp_path / "long.pptx", 50)
    result = _extract(office.extract_powerpoint, path)
    assert result.metadata["slides"] == 50 and result.metadata["slides_with_notes"] == 25
    assert result.text.count("--- slide ") == 75


# ------------------------------------------------------------------------------------------------
# Excel


def test_spreadsheet(tmp_path: Path) -> None:
    result = _extract(office.extract_spreadsheet, _workbook(tmp_path / "log.xlsx"))
    meta = result.metadata
    assert meta["sheets"] == ["Learning log", "Summary"]
    assert meta["rows"] == 5 and meta["max_columns"] == 4 and meta["rows_capped"] is False
    assert "Shadowed engineer" in result.text and "Off-the-job hours" in result.text
    assert result.problems == [] and result.embedded_media == []


def test_spreadsheet_scan_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(office_spreadsheet, "SPREADSHEET_ROW_LIMIT", 2)
    meta = _extract(office.extract_spreadsheet, _workbook(tmp_path / "log.xlsx")).metadata
    assert meta["rows"] == 2 and meta["rows_capped"] is True


def test_spreadsheet_with_a_wrong_declared_size(tmp_path: Path) -> None:
    plain = _workbook(tmp_path / "log.xlsx")
    sheet = _member(plain, "xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:D5"/>' in sheet
    far_row = b'<row r="300000"><c r="A300000" t="inlineStr"><is><t>Late entry</t></is></c></row></sheetData>'
    sheet = sheet.replace(b"A1:D5", b"A1:XFD1048576").replace(b"</sheetData>", far_row)
    path = _rewrite(plain, tmp_path / "huge.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    result = _extract(office.extract_spreadsheet, path)
    assert result.metadata["rows"] == 6 and result.metadata["max_columns"] == 4
    assert result.metadata["rows_capped"] is False and "Late entry" in result.text


def test_macro_enabled_spreadsheet(tmp_path: Path) -> None:
    plain = _workbook(tmp_path / "log.xlsx")
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    types = _member(plain, "[Content_Types].xml").replace(main, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    path = _rewrite(plain, tmp_path / "log.xlsm", {"[Content_Types].xml": types}, {"xl/vbaProject.bin": b"vba"})
    result = _extract(office.extract_spreadsheet, path)
    assert [p.code for p in result.problems] == [MACRO_ENABLED] and ".xlsx" in result.problems[0].fix
    assert result.metadata["rows"] == 5


# ------------------------------------------------------------------------------------------------
# The shared corpus


def _extractor_for(path: Path):
    suffix = path.suffix.lower()
    if suffix in (".docx", ".docm"):
        return office.extract_word
    if suffix in (".pptx", ".pptm"):
        return office.extract_powerpoint
    return office.extract_spreadsheet


def test_corpus_office_files(corpus: Path) -> None:
    office_suffixes = (".pptx", ".pptm", ".docx", ".xlsx")
    paths = sorted([*corpus.glob("python-openxml-python-docx/**/*.docx"),
                    *[p for p in corpus.glob("scanny-python-pptx/**/*") if p.suffix in office_suffixes],
                    corpus / "gabriel-vasile-mimetype/testdata/docx.docx",
                    corpus / "gabriel-vasile-mimetype/testdata/pptx.pptx"])
    assert len(paths) >= 20
    results: dict[str, Extraction | ExtractionProblem] = {}
    for path in paths:
        try:
            results[path.name] = _extract(_extractor_for(path), path)
        except ExtractionProblem as problem:
            results[path.name] = problem
        with path.open("rb") as stream:
            thumbnail = office.office_thumbnail(stream, path.stat().st_size)
        assert thumbnail is None or thumbnail[0].startswith("image/")
    failed = {name: r.code for name, r in results.items() if isinstance(r, ExtractionProblem)}
    assert failed == {"pptx.pptx": FILE_UNREADABLE}  # the mimetype project keeps only its first 4 KB

    assert results["doc-coreprops.docx"].metadata["author"] == "Steve Canny"
    assert results["doc-coreprops.docx"].metadata["title"] == "Title"
    assert "title" not in results["no-core-props.pptx"].metadata  # python-pptx would invent one
    assert results["test_slides.pptx"].metadata["slides"] == 1
    assert results["sld-slides.pptx"].metadata["slides"] == 3
    assert results["prs-notes.pptx"].metadata["slides_with_notes"] == 1
    assert results["having-images.docx"].metadata["images"] == 3
    assert results["test.docx"].text == "python-docx was here!\npython-docx was here too!"
    movie = results["shp-movie-props.pptx"]
    assert movie.embedded_media == [EmbeddedPart("ppt/media/media1.mp4", 470987)]
    macros = results["act-props.pptm"]
    assert [p.code for p in macros.problems] == [MACRO_ENABLED]
    assert [e.part for e in macros.embedded_media] == ["ppt/media/media1.mp3"]
    # one picture linked only (a problem), one linked and saved in the document (shows offline)
    linked = results["shp-inline-shape-access.docx"]
    assert len(linked.metadata["external_links"]) == 2
    assert [p.code for p in linked.problems] == [EXTERNAL_LINK] and "monty-truth.png" in linked.problems[0].message
    assert results["shp-embedded-xlsx.xlsx"].metadata["sheets"] == ["Sheet1"]

    with (corpus / "scanny-python-pptx/features/steps/test_files/shp-movie-props.pptx").open("rb") as stream:
        mime, data = office.office_thumbnail(stream, 684874)
    assert mime == "image/jpeg" and data[:3] == b"\xff\xd8\xff" and len(data) == 33657


def test_corpus_file_given_as_a_zip_member(corpus: Path, tmp_path: Path) -> None:
    source = corpus / "scanny-python-pptx/features/steps/test_files/shp-movie-props.pptx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(source, "deck.pptx")
    with zipfile.ZipFile(buffer) as archive, archive.open("deck.pptx") as member:
        result = office.extract_powerpoint(member, source.stat().st_size)
    assert result.metadata["slides"] == 1 and result.metadata["embedded_media_count"] == 1


# --------------------------------------------------------------------------------------------------
# Old binary files: the summary property sets (real files: tests/test_wild_corpus.py)


def property_set(properties: dict[int, tuple[int, bytes]]) -> bytes:
    """A property set stream ([MS-OLEPS]) with one set: property id -> (type, value bytes)."""
    import struct

    offsets, body, position = [], b"", 8 + 8 * len(properties)
    for pid, (kind, value) in properties.items():
        offsets.append(struct.pack("<II", pid, position + len(body)))
        body += struct.pack("<HH", kind, 0) + value
        body += bytes(-len(body) % 4)
    section = struct.pack("<II", 8 + 8 * len(properties) + len(body), len(properties)) + b"".join(offsets) + body
    return struct.pack("<HHI16sI", 0xFFFE, 0, 0x20006, bytes(16), 1) + bytes(16) + struct.pack("<I", 48) + section


def test_summary_property_set_values() -> None:
    import struct

    filetime = (datetime(2005, 5, 13, 16, 59, 39) - datetime(1601, 1, 1)).total_seconds() * 10_000_000
    values = office_legacy._property_set(property_set({
        1: (2, struct.pack("<h", 1252)),  # code page
        2: (30, struct.pack("<I", 9) + "Café RA\0".encode("cp1252").ljust(9, b"\0")),
        15: (3, struct.pack("<i", 538)),
        12: (64, struct.pack("<Q", int(filetime))),
        7: (3, struct.pack("<i", 42)),
    }))
    assert values[2] == "Café RA" and values[15] == 538 and values[7] == 42
    assert values[12] == "2005-05-13T16:59:39+00:00"
    assert office_legacy._property_set(b"not a property set") == {}


def test_word_before_compound_files_has_no_counts() -> None:
    """Word 1 and 2 files keep no property sets: they are read (no error) with nothing to report."""
    data = b"\xdb\xa5\x2d\x00" + bytes(2000)
    assert office.extract_legacy(io.BytesIO(data), len(data)).metadata == {}
