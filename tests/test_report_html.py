"""The HTML readiness report, read as HTML: sections, escaping, no outside requests, thumbnails."""

from __future__ import annotations

import base64
import csv
import io
import itertools
import json
import re
import zipfile
from pathlib import Path

import builders
import portfolios
import pytest
from lxml import html as lxml_html

from portfolio_check.catalogue.loader import discover
from portfolio_check.extract.runner import ExtractionSettings, extract_inventory
from portfolio_check.ingest.inventory import ingest
from portfolio_check.pipeline import CheckSettings, check_portfolio
from portfolio_check.report.check_view import assessment_to_dict
from portfolio_check.report.html_view import MATRIX_PIECES_PER_TABLE, render_report_html

CATALOGUES = discover()
SECTIONS = ("details", "checklist", "findings", "inventory", "coverage", "video", "attribution")


def render(root: Path, **flags: str) -> str:
    """The HTML report as ``check -o`` writes it (with thumbnails)."""
    settings = CheckSettings(flags=flags, extraction=ExtractionSettings(thumbnails=True))
    assessment = check_portfolio(root, CATALOGUES, settings)
    return render_report_html(assessment, assessment_to_dict(assessment))


def parse(text: str):
    return lxml_html.document_fromstring(text)


def visible_text(document) -> str:
    """The page's text as a person reads it: no styles, whitespace collapsed."""
    for style in document.iter("style"):
        style.getparent().remove(style)
    return " ".join(document.text_content().split())


@pytest.fixture(scope="module")
def not_ready(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``check -o`` on 17 pieces, K1 uncovered, 11 min of video (4 min in a deck), a stray file and junk."""
    from click.testing import CliRunner

    from portfolio_check.cli import main

    root = tmp_path_factory.mktemp("html")
    portfolio = portfolios.build(root / "Sam Patel 1234567899", portfolios.Spec(
        pieces=17, uncovered=("K1",), videos=(420.0,), embedded=(240.0,),
        extra_files={"notes/stray notes.txt": b"left over", ".DS_Store": b"\0\0\0\1Bud1"}))
    result = CliRunner().invoke(main, ["check", str(portfolio), "-o", str(root / "out"), "--employer", "Northern Pictures"],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "report.html" in result.stderr
    return root / "out"


def test_report_html_has_every_section_and_what_each_shows(not_ready: Path) -> None:
    document = parse((not_ready / "report.html").read_text(encoding="utf-8"))
    assert document.get("lang") == "en-GB"
    assert len(document.xpath("//main")) == 1
    assert [s for s in SECTIONS if not document.xpath(f"//section[@aria-labelledby='{s}']/h2[@id='{s}']")] == []
    text = visible_text(document)

    assert document.xpath("string(//section[contains(@class, 'verdict')]/h2)") == "Not ready for Gateway"
    # Beside the stray file, the warnings are claims the pieces' few words do not bear out, and the
    # clip rules' on the builders' clips (16x16 pixels of one colour: a still, too small to see anything).
    warnings = document.xpath("//li[contains(@class, 'finding--warning')]//code/text()")
    assert [code for code in warnings if code not in ("ksb-claim-unsupported", "ksb-claims-generous")
            and not code.startswith("video-")] == ["unmapped-file"]
    assert {"video-small-picture", "video-still-image"} <= set(warnings)
    assert f"3 errors, {len(warnings)} warnings" in text
    for expected in ("Sam Patel", "1234567899", "Northern Pictures", "ST0792 Junior production coordinator, version 1.2",
                     "Production coordinator", "portfolio-check 0.", "standard ST0792 v1.2"):
        assert expected in text, expected
    checklist = {row.xpath("string(th)"): (row.xpath("string(td[1])"), row.xpath("string(td[2])"))
                 for row in document.xpath("//table[@class='checklist']/tbody/tr")}
    assert checklist["Discrete pieces of evidence"] == ("Fail", "17 pieces (18 to 20)")
    assert checklist["Video in total"] == ("Fail", "11 min of video (max 10 min)")
    assert checklist["Employer and apprentice statement"] == ("Pass", "Declaration.docx")

    errors = document.xpath("//li[contains(@class, 'finding--error')]")
    assert len(errors) == 3 and all("How to fix" in e.text_content() for e in errors)
    assert "notes/stray notes.txt" in document.xpath("string(//li[contains(@class, 'finding--warning')])")

    pieces = document.xpath("//table[@class='inventory']/tbody/tr")
    assert len(pieces) == 17
    assert "02 Production meeting deck.pptx" in pieces[1].text_content() and "3 slides" in pieces[1].text_content()
    assert "7 min" in pieces[0].text_content() and "K5, S11" in pieces[0].text_content()
    assert "stray notes.txt" in document.xpath("string(//h3[@id='unmapped']/following-sibling::ul[1])")
    documents = {row.xpath("string(th)"): row.xpath("string(td)")
                 for row in document.xpath("//table[@class='documents']/tbody/tr")}
    assert "KSB mapping.csv" in documents["KSB mapping manifest"]
    assert "Declaration.docx" in documents["Employer and apprentice statement"]
    assert ".DS_Store" in document.xpath("string(//table[@class='ignored'])")

    rows = {row.xpath("string(th/span[@class='ksb-code'])"): row
            for row in document.xpath("//table[contains(@class, 'matrix')]/tbody/tr[th[@scope='row']]")}
    assert len(rows) == 26
    assert rows["K1"].get("class") == "is-missing" and "Not covered" in rows["K1"].text_content()
    assert [code for code, row in rows.items() if row.get("class") == "is-missing"] == ["K1"]
    assert "evidenced by piece 1" in rows["K5"].text_content()
    themes = document.xpath("//table[contains(@class, 'matrix')]/tbody/tr/th[@scope='rowgroup']/text()")
    assert themes[0] == "Production context" and "Copyright" in themes

    clips = document.xpath("//table[@class='clips']/tbody/tr")
    assert [c.xpath("string(th)") for c in clips] == ["01 Walkthrough 1.mp4", "ppt/media/media1.mp4"]
    assert "Embedded in a presentation" in clips[1].text_content() and "4 min" in clips[1].text_content()
    assert "1 min over the limit" in text and "70%" in clips[0].text_content()
    # each clip's own bar is its share of the limit; the budget bar spans the 11 min total, marking the limit
    assert clips[0].xpath("string(.//span[@class='bar__fill']/@style)") == "width: 70.00%"
    assert document.xpath("//div[contains(@class, 'budget')]/span[@class='budget__clip']/@style") == [
        "width: 63.64%", "width: 36.36%"]
    assert document.xpath("string(//span[@class='budget__limit']/@style)") == "left: 90.91%"

    parties = {row.xpath("string(th)"): row.text_content() for row in document.xpath("//table[@class='parties']/tbody/tr")}
    assert "Jo Bloggs" in parties["Employer"] and "2026-09-01" in parties["Apprentice"]


def test_what_to_fix_sits_under_the_verdict_with_a_copy_to_paste(not_ready: Path) -> None:
    document = parse((not_ready / "report.html").read_text(encoding="utf-8"))
    main = document.xpath("//main")[0]
    sections = [s.get("id") or s.get("class") for s in main.xpath("section")]
    assert sections[:2] == ["verdict verdict--not-ready", "what-to-fix"]
    section = document.get_element_by_id("what-to-fix")
    assert section.xpath("string(h2)") == "What to fix"
    assert section.xpath("string(.//div[contains(@class, 'fix-group')]/h3)") == "For the apprentice"
    numbers = [int(ol.get("start")) for ol in section.xpath(".//ol[@class='fixes']")]
    counts = [len(ol.xpath("li")) for ol in section.xpath(".//ol[@class='fixes']")]
    assert numbers == [1 + sum(counts[:i]) for i in range(len(counts))]  # one numbering across the groups
    first = section.xpath(".//ol[@class='fixes']/li")[0]
    assert first.xpath("string(.//strong)") == "Must fix" and "How:" in first.text_content()
    uncovered = next(li.text_content() for li in section.xpath(".//li") if "have no evidence" in li.text_content())
    assert "K1 (How structure, vision and purpose affects production)" in uncovered
    # The same list as text to copy, in a box that needs no script to open or select.
    box = section.xpath(".//details[@class='copy-text']/textarea")[0]
    assert box.get("readonly") is not None and box.text.startswith("What to fix\nSam Patel: not ready for Gateway")
    report = json.loads((not_ready / "report.json").read_text(encoding="utf-8"))
    # One item per finding, and one per checklist line left to decide (what to add).
    assert sum(len(ol.xpath("li")) for ol in section.xpath(".//ol[@class='fixes']")) == len(report["findings"]) + len(
        [line for line in report["checklist"] if line["to_decide"]])


def test_the_footer_says_when_and_with_what_and_nothing_else(not_ready: Path) -> None:
    document = parse((not_ready / "report.html").read_text(encoding="utf-8"))
    footer = " ".join(document.xpath("string(//footer)").split())
    assert re.fullmatch(r"Checked \d{1,2} \w+ \d{4}, \d\d:\d\d UTC with portfolio-check \S+\. "
                        r"The portfolio's files were read, not changed\.", footer), footer


def test_report_html_is_accessible_markup(not_ready: Path) -> None:
    document = parse((not_ready / "report.html").read_text(encoding="utf-8"))
    levels = [int(h.tag[1]) for h in document.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels)), levels
    for table in document.iter("table"):
        assert table.find("caption") is not None and table.find("caption").text_content().strip()
        assert all(th.get("scope") in ("col", "row", "rowgroup") for th in table.iter("th"))
    images = document.xpath("//img")
    assert images and all(img.get("alt", "").startswith("Preview of ") for img in images)


@pytest.fixture(scope="module")
def ready_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A ready portfolio's report; it also holds an internet shortcut (a warning, not an error)."""
    shortcut = b"[InternetShortcut]\r\nURL=https://example.com/evidence/showreel\r\n"
    root = portfolios.build(tmp_path_factory.mktemp("ready") / "Sam Patel 1234567899",
                            portfolios.Spec(extra_files={"Showreel.url": shortcut}))
    return render(root)


def test_report_html_requests_nothing_from_outside(ready_html: str) -> None:
    text = ready_html
    document = parse(text)
    assert "https://example.com/evidence/showreel" in visible_text(document)
    attributes = [(element.tag, name, value) for element in document.iter() if isinstance(element.tag, str)
                  for name, value in element.attrib.items()]
    assert [a for a in attributes if a[1] == "href" and not a[2].startswith("#")] == []
    assert [a for a in attributes if a[1] == "src" and not a[2].startswith("data:image/")] == []
    assert [a for a in attributes if "http://" in a[2] or "https://" in a[2]] == []
    assert document.xpath("//script | //link | //iframe | //object | //embed") == []
    assert "@import" not in text and "url(" not in text
    csp = document.xpath("string(//meta[@http-equiv='Content-Security-Policy']/@content)")
    assert "default-src 'none'" in csp


def test_nothing_taken_from_the_portfolio_becomes_markup(tmp_path: Path) -> None:
    root = portfolios.build(tmp_path / "portfolio", portfolios.Spec())
    picture = 'x" onerror="alert(1).jpg'
    builders.jpeg(root / picture)
    (root / "<script>alert(2)<script>.txt").write_text("stray", encoding="utf-8")
    manifest = root / "KSB mapping.csv"
    rows = list(csv.reader(io.StringIO(manifest.read_text(encoding="utf-8"))))
    rows[1][1] = '<script>alert("title")</script>'
    rows[2][1] = '"><img src=x onerror=alert(3)>'
    rows[3][2] += f"; {picture}"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    manifest.write_text(buffer.getvalue(), encoding="utf-8")

    text = render(root, apprentice="<b>Sam</b> Patel", employer="</title><script>alert(4)</script>")
    document = parse(text)
    assert document.xpath("//script") == []
    assert [(e.tag, name) for e in document.iter() if isinstance(e.tag, str)
            for name in e.attrib if name.startswith("on")] == []
    assert document.xpath("//b") == [] and len(document.xpath("//img")) == len(
        document.xpath("//img[@class='file__thumb' or @class='sheet__frame']"))
    shown = visible_text(document)
    for hostile in ('<script>alert("title")</script>', '"><img src=x onerror=alert(3)>', "<script>alert(2)<script>.txt",
                    "<b>Sam</b> Patel", "</title><script>alert(4)</script>"):
        assert hostile in shown, hostile
    assert document.xpath("string(//title)").endswith("<b>Sam</b> Patel")
    assert 'alt="Preview of x&#34; onerror=&#34;alert(1).jpg"' in text


def test_a_ready_portfolio_reads_ready(ready_html: str) -> None:
    document = parse(ready_html)
    verdict = document.xpath("//section[contains(@class, 'verdict')]")[0]
    assert "verdict--ready" in verdict.get("class")
    assert verdict.xpath("string(h2)") == "Ready for Gateway"
    warnings = document.xpath("//li[contains(@class, 'finding--warning')]//code/text()")
    # The shortcut is in no piece and links outside; the rest are claims the pieces' few words do not bear
    # out, and the clip rules' on the builders' clip (16x16 pixels of one colour).
    assert [code for code in warnings if code != "ksb-claim-unsupported" and not code.startswith("video-")] == [
        "unmapped-file", "external-link"]
    assert f"0 errors, {len(warnings)} warnings" in verdict.text_content()
    text = visible_text(document)
    assert "Not ready" not in text and "Not covered:" not in text
    assert document.xpath("//tr[@class='is-missing']") == []
    # No start or Gateway date in this portfolio: evidence dates are unknown, which leaves it ready.
    labels = {row.xpath("string(th)"): row.xpath("string(td//strong)")
              for row in document.xpath("//table[@class='checklist']//tr[td]")}
    assert labels.pop("Apprentice details and dates") == "Unknown"
    # Nor does it say anything of English and maths or the Gateway declaration: unknown, not a pass.
    assert labels.pop("Pre-Gateway requirements", "Unknown") == "Unknown"
    assert set(labels.values()) == {"Pass", "Warning"}
    assert any("Showreel.url" in item.text_content()
               for item in document.xpath("//li[contains(@class, 'finding--warning')]"))


def test_the_checklist_ends_with_what_to_check_by_hand_with_room_to_sign(ready_html: str) -> None:
    document = parse(ready_html)
    rows = document.xpath("//table[@class='manual']/tbody/tr")
    checks = [(row.xpath("string(th/text())").strip(), row.xpath("string(th/span)")) for row in rows]
    assert checks == [("The apprentice is in view and identifiable in the clip.", "01 Walkthrough 1.mp4"),
                      ("The employer's and the apprentice's signatures on the statement are genuine.", "Declaration.docx"),
                      ("The evidence is the apprentice's own work, produced during the apprenticeship.", "")]
    headings = document.xpath("//table[@class='manual']/thead//th/text()")
    assert headings[-2:] == ["Checked by", "Date"]
    assert all(cell.text_content() == "" for row in rows for cell in row.xpath("td[@class='manual__sign']"))
    # the clip's line links to its contact sheet in the video section: the sampled frames, made with -o
    anchor = rows[0].xpath("string(.//a/@href)")
    assert anchor.startswith("#sheet-")
    sheet = document.xpath(f"//figure[@id='{anchor[1:]}']")[0]
    assert "01 Walkthrough 1.mp4: no face in" in sheet.xpath("string(figcaption)")
    frames = sheet.xpath("img/@src")
    assert frames and all(src.startswith("data:image/jpeg;base64,") for src in frames)


def test_duty_mapped_standards_show_duties_in_the_matrix(tmp_path: Path) -> None:
    root = portfolios.build(tmp_path / "portfolio", portfolios.Spec(standard="ST1457", option=None, pieces=12,
                                                                    uncovered=("D11",)))
    document = parse(render(root, standard="ST1457"))
    assert document.xpath("string(//h2[@id='coverage'])") == "Duty coverage"
    codes = document.xpath("//table[contains(@class, 'matrix')]/tbody/tr/th[@scope='row']/span[@class='ksb-code']/text()")
    assert codes == [f"D{n}" for n in range(1, 12)]
    assert document.xpath("//tr[@class='is-missing']/th/span[@class='ksb-code']/text()") == ["D11"]
    assert "Assumed rule" in document.xpath("string(//table[@class='checklist'])")


def test_the_matrix_splits_so_it_fits_a_page(tmp_path: Path) -> None:
    root = portfolios.build(tmp_path / "portfolio", portfolios.Spec(pieces=23, videos=()))
    document = parse(render(root))
    matrices = document.xpath("//table[contains(@class, 'matrix')]")
    assert [m.xpath("string(caption)") for m in matrices] == [
        "KSBs against pieces of evidence (pieces 1 to 20)", "KSBs against pieces of evidence (pieces 21 to 23)"]
    assert [len(m.xpath("thead/tr/th[@class='piece']")) for m in matrices] == [MATRIX_PIECES_PER_TABLE, 3]


def test_thumbnails_are_made_in_extraction_only_when_asked_and_stay_small(tmp_path: Path) -> None:
    from PIL import Image

    root = tmp_path / "portfolio"
    builders.jpeg(root / "photo.jpg", size=(900, 600))
    (root / "diagram.png").write_bytes(builders.png_bytes(40, 30))
    Image.new("RGB", (4000, 3200), (20, 90, 160)).save(root / "huge scan.png")
    Image.new("RGB", (4000, 3200), (20, 90, 160)).save(root / "huge photo.jpg", "JPEG")
    builders.pptx(root / "deck.pptx", ["Production meeting"])
    # python-pptx saves a blank white preview: no preview. A deck whose preview shows something keeps it.
    preview = io.BytesIO()
    slide = Image.new("RGB", (256, 192), "white")
    slide.paste((200, 60, 30), (20, 20, 236, 80))  # a title bar
    slide.save(preview, "JPEG")
    with zipfile.ZipFile(root / "deck.pptx") as blank, \
            zipfile.ZipFile(root / "slides.pptx", "w", zipfile.ZIP_DEFLATED) as shown:
        for info in blank.infolist():
            shown.writestr(info.filename, preview.getvalue() if info.filename == "docProps/thumbnail.jpeg"
                           else blank.read(info))
    builders.pdf(root / "schedule.pdf", [["Monday: recce"]])
    builders.clip(root / "walkthrough.mp4", 1.0)
    inventory = ingest(root)

    plain = extract_inventory(inventory, ExtractionSettings(jobs=2))
    assert [r.path for r in plain if r.thumbnail] == []
    made = {r.path: r.thumbnail for r in extract_inventory(inventory, ExtractionSettings(jobs=2, thumbnails=True))}
    assert {path for path, uri in made.items() if uri} == {"photo.jpg", "diagram.png", "huge photo.jpg", "slides.pptx"}
    for path in ("photo.jpg", "diagram.png", "huge photo.jpg", "slides.pptx"):
        mime, encoded = made[path].removeprefix("data:").split(";base64,")
        data = base64.b64decode(encoded)
        picture = Image.open(io.BytesIO(data))
        assert mime in ("image/jpeg", "image/png") and picture.format.lower() == mime.split("/")[1]
        assert max(picture.size) <= 160 and len(data) < 24 * 1024, (path, picture.size, len(data))
    assert Image.open(io.BytesIO(base64.b64decode(made["photo.jpg"].split(",")[1]))).size == (160, 107)


def test_thumbnails_reach_the_html_report_but_not_the_json(not_ready: Path) -> None:
    document = parse((not_ready / "report.html").read_text(encoding="utf-8"))
    previews = {img.get("alt").removeprefix("Preview of "): img.get("src") for img in document.xpath("//img")}
    assert "03 Set photo 3.jpg" in set(previews)
    assert "01 Walkthrough 1.mp4" not in previews and "05 Schedule 5.pdf" not in previews
    # The deck's saved preview is a blank slide: a PowerPoint icon stands in for it, not a blank box.
    assert "02 Production meeting deck.pptx" not in previews
    icons = {" ".join(icon.xpath("string(following-sibling::div//div[@class='file__name'])").split()):
             (icon.get("class"), icon.get("aria-label"), icon.xpath("string(.)"))
             for icon in document.xpath("//span[contains(@class, 'file-icon ')]")}
    assert icons["02 Production meeting deck.pptx"] == (
        "file__thumb file__thumb--none file-icon file-icon--powerpoint", "PowerPoint file, no preview", "PPPTX")
    report = (not_ready / "report.json").read_text(encoding="utf-8")
    assert "data:image" not in report and json.loads(report)["verdict"] == "not-ready"



def _fresh_environment(monkeypatch: pytest.MonkeyPatch, folder: Path):
    """The environment a new process would build, caching compiled templates in ``folder``."""
    from portfolio_check.report import templating

    monkeypatch.setattr(templating, "CACHE_DIRECTORY", str(folder))
    templating.environment.cache_clear()
    return templating.environment()


def test_compiled_templates_are_reused_and_a_bad_cache_only_costs_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A later run loads report.html.j2 compiled; a corrupt or unwritable cache still renders."""
    import jinja2

    from portfolio_check.report import templating

    compiled: list[str] = []
    real_compile = jinja2.Environment.compile

    def counting_compile(self, source, name=None, *args, **kwargs):
        compiled.append(name)
        return real_compile(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting_compile)
    cache = tmp_path / "cache"
    cache.mkdir()
    try:
        _fresh_environment(monkeypatch, cache).get_template("report.html.j2")
        entries = list(cache.glob("*.cache"))
        assert compiled == ["report.html.j2"] and len(entries) == 1

        compiled.clear()
        _fresh_environment(monkeypatch, cache).get_template("report.html.j2")
        assert compiled == []  # loaded from the cache, not compiled from source

        entries[0].write_bytes(b"not a cache entry")
        _fresh_environment(monkeypatch, cache).get_template("report.html.j2")
        assert compiled == ["report.html.j2"]

        shared = tmp_path / "shared"
        shared.mkdir(mode=0o777)
        shared.chmod(0o777)  # anyone could plant compiled code here: not used
        monkeypatch.setattr(templating, "CACHE_DIRECTORY", str(shared))
        assert templating.cache_folder() is None

        (tmp_path / "a file").write_text("in the way")
        compiled.clear()
        _fresh_environment(monkeypatch, tmp_path / "a file" / "cache").get_template("index.html.j2")
        assert compiled == ["index.html.j2"]
    finally:
        templating.environment.cache_clear()
