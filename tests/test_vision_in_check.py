"""Scans and clips through the whole check: real photographs made into clips, a statement put through a "scanner".

One portfolio holds every kind of clip and scan, and is checked once per session with thumbnails (as
``check -o`` runs): a real portrait panned and zoomed with sound, a rocket launch (no person), the
portrait tiny in a wide frame, the portrait without sound, the portrait at 64x36, a still picture
and a sound recording named as videos, a signed statement and a call sheet as image-only PDFs named
as a scanner names them. The photographs are read in place from ../shared/corpus/faces.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import portfolios
from test_faces import SINE, make, panned
from test_ocr import CALL_SHEET, image_only_pdf, scanned_page

from portfolio_check.catalogue.loader import discover
from portfolio_check.checks.model import Assessment
from portfolio_check.checks.outcome import Status
from portfolio_check.checks.rules.clips import VideoQualityRule
from portfolio_check.extract import faces as faces_module
from portfolio_check.extract import ocr
from portfolio_check.extract.model import FILE_UNREADABLE, SCAN_NOT_READ, VIDEO_LOOK_INCOMPLETE, ExtractionProblem
from portfolio_check.extract.runner import ExtractionSettings, extract_file
from portfolio_check.ingest.inventory import ingest
from portfolio_check.pipeline import CheckSettings, check_portfolio
from portfolio_check.report import html_view
from portfolio_check.report.check_view import assessment_to_dict, render_check_text
from portfolio_check.report.html_view import render_report_html

AVAILABLE, WHY_NOT = ocr.ocr_available()
needs_engine = pytest.mark.skipif(not AVAILABLE, reason=f"OCR engine missing: {WHY_NOT}")

STATEMENT_SCAN = "Scan_20260306_0912.pdf"
OTHER_SCAN = "Scan_20260306_0915.pdf"
#: The statement as the ready portfolios type it (names and dates the apprentice's details agree with).
STATEMENT = ["Declaration of authenticity",
             "We confirm that the evidence in this portfolio is valid and attributable",
             "to the apprentice, and that it is the apprentice's own work.",
             "Apprentice name: Sam Patel      Signed: Sam Patel      Date: 01/09/2026",
             "Employer name: Jo Bloggs, Line Manager, Northern Pictures",
             "Signed: Jo Bloggs      Date: 01/09/2026"]
CLIPS = {"portrait": "Clips/Portrait.mp4", "rocket": "Clips/Rocket launch.mp4", "tiny": "Clips/Wide shot.mp4",
         "silent": "Clips/Silent portrait.mp4", "postage": "Clips/Postage stamp.mp4",
         "still": "Clips/Coffee.mp4", "sound": "Clips/Interview.mp4"}


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    from conftest import CORPUS

    folder = CORPUS / "faces"
    if not all((folder / name).is_file() for name in ("astronaut.png", "rocket.jpg", "coffee.png")):
        pytest.skip(f"the face photographs are not present in {folder} (see its SOURCES.md)")
    return folder


@pytest.fixture(scope="session")
def made_clips(tmp_path_factory: pytest.TempPathFactory, faces_dir: Path) -> dict[str, Path]:
    """Each kind of clip, short and small, made once."""
    out = tmp_path_factory.mktemp("vision-clips")
    portrait = faces_dir / "astronaut.png"
    made = {
        "portrait": panned(portrait, out / "portrait.mp4", seconds=10),
        "rocket": panned(faces_dir / "rocket.jpg", out / "rocket.mp4", seconds=10, zoom_to=1.2),
        "silent": panned(portrait, out / "silent.mp4", seconds=6, audio=False),
        "tiny": make(out / "tiny.mp4", "-f", "lavfi", "-i", "color=c=0x506070:size=1280x720:rate=25:duration=8",
                     "-loop", "1", "-framerate", "25", "-i", str(portrait), "-f", "lavfi", "-i", SINE.format(seconds=8),
                     "-filter_complex", "[1]scale=166:166[p];[0][p]overlay=x='200+t*20':y=300:shortest=1,"
                     "format=yuv420p[v]", "-map", "[v]", "-map", "2:a", "-t", "8", "-c:v", "libx264",
                     "-preset", "ultrafast", "-g", "50", "-c:a", "aac"),
        "still": make(out / "still.mp4", "-loop", "1", "-framerate", "25", "-i", str(faces_dir / "coffee.png"),
                      "-f", "lavfi", "-i", SINE.format(seconds=6), "-t", "6", "-vf", "scale=640:-2,format=yuv420p",
                      "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-shortest"),
        "sound": make(out / "sound.mp4", "-f", "lavfi", "-i", SINE.format(seconds=5), "-c:a", "aac"),
    }
    made["postage"] = make(out / "postage.mp4", "-i", str(made["portrait"]), "-vf", "scale=64:36",
                           "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "copy")
    return made


def _portfolio(root: Path, clips: dict[str, Path] | None, scans: bool) -> Path:
    """A ready portfolio without a typed statement, with the clips and scans beside its pieces."""
    portfolios.build(root, portfolios.Spec(videos=(), statement=False))
    for key, clip in (clips or {}).items():
        target = root / CLIPS[key]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(clip, target)
    if scans:
        image_only_pdf(root / STATEMENT_SCAN, [scanned_page(STATEMENT, angle=1.5, seed=3)])
        image_only_pdf(root / OTHER_SCAN, [scanned_page(CALL_SHEET, angle=-2.0, seed=4)])
    return root


@pytest.fixture(scope="session")
def checked(tmp_path_factory: pytest.TempPathFactory, made_clips: dict[str, Path]) -> Assessment:
    root = _portfolio(tmp_path_factory.mktemp("vision") / "Sam Patel 1234567899", made_clips, scans=AVAILABLE)
    return check_portfolio(root, discover(), CheckSettings(extraction=ExtractionSettings(thumbnails=True)))


def codes_for(assessment: Assessment, path: str) -> set[str]:
    return {f.code for f in assessment.findings if f.path == path}


# --------------------------------------------------------------------------- who is in view


def test_a_real_face_panned_and_zoomed_with_sound_is_not_flagged(checked: Assessment) -> None:
    assert codes_for(checked, CLIPS["portrait"]) == {"unmapped-file"}
    record = next(r for r in checked.portfolio.records if r.path == CLIPS["portrait"])
    assert record.faces is not None and record.faces.frames_with_face >= record.faces.frames_sampled - 1 >= 3
    assert record.faces.contact_sheet  # made: the check ran with thumbnails, as -o runs it


def test_a_landscape_is_flagged_as_no_one_in_view(checked: Assessment) -> None:
    assert "video-person-not-seen" in codes_for(checked, CLIPS["rocket"])
    finding = next(f for f in checked.findings if f.path == CLIPS["rocket"] and f.code == "video-person-not-seen")
    assert "the standard needs the apprentice in view and identifiable: no face was seen in" in finding.message
    assert "sampled frames" in finding.message


def test_a_tiny_face_is_flagged_as_small(checked: Assessment) -> None:
    assert {"video-person-small"} <= codes_for(checked, CLIPS["tiny"])
    assert "video-person-not-seen" not in codes_for(checked, CLIPS["tiny"])


def test_the_person_line_counts_clips_and_never_names_anyone(checked: Assessment) -> None:
    outcome = checked.outcome("video-person")
    assert outcome.status is Status.WARNING
    # portrait, silent portrait and tiny face are seen; the rocket and the still of a coffee cup are not;
    # at 64x36 the face is too small for the detector's 20-pixel window
    assert outcome.figure.text == "faces seen in 3 of 6 clips"
    assert all("apprentice is" not in f.message.lower() for f in outcome.findings)


# --------------------------------------------------------------------------- seen and heard


def test_a_clip_without_sound_is_flagged(checked: Assessment) -> None:
    assert codes_for(checked, CLIPS["silent"]) == {"unmapped-file", "video-no-audio"}


def test_a_postage_stamp_clip_is_flagged_against_the_catalogue_minimum(checked: Assessment) -> None:
    assert "video-small-picture" in codes_for(checked, CLIPS["postage"])
    finding = next(f for f in checked.findings if f.code == "video-small-picture")
    assert "64x36 pixels" in finding.message and "360 pixels" in finding.message
    assert VideoQualityRule.reads == ("min_video_height",)


def test_a_still_picture_and_a_sound_recording_named_as_videos_say_so(checked: Assessment) -> None:
    assert "video-still-image" in codes_for(checked, CLIPS["still"])
    assert "video-sound-only" in codes_for(checked, CLIPS["sound"])
    sound = next(c for c in checked.clips if c.path == CLIPS["sound"])
    assert sound.kind == "audio"  # and so it does not count as video


def test_the_catalogue_minimum_picture_size_is_read_and_validated(tmp_path: Path) -> None:
    from portfolio_check.catalogue.loader import parse_standard
    from portfolio_check.errors import CatalogueError

    standard = discover().get("ST0792")
    assert standard.portfolio.min_video_height == 360
    base = {"reference": "ST0001", "version": "1.0", "title": "Test", "status": "approved",
            "ksbs": [{"code": "K1", "text": "Knows"}]}
    assert parse_standard({**base, "portfolio": {"min_video_height": 720}}, "x.yaml").portfolio.min_video_height == 720
    with pytest.raises(CatalogueError, match="min_video_height"):
        parse_standard({**base, "portfolio": {"min_video_height": "tall"}}, "x.yaml")


def test_the_catalogue_manual_checks_are_read_and_validated() -> None:
    from portfolio_check.catalogue.loader import parse_standard
    from portfolio_check.errors import CatalogueError

    assert [(m.id, m.per) for m in discover().get("ST0792").manual_checks] == [
        ("apprentice-identifiable", "clip"), ("signatures-genuine", "statement"), ("scan-legible", "scan"),
        ("evidence-own-work", "portfolio")]
    base = {"reference": "ST0001", "version": "1.0", "title": "Test", "status": "approved",
            "ksbs": [{"code": "K1", "text": "Knows"}]}
    check = {"id": "dbs", "item": "The employer's DBS check is on file.", "why": "Not part of the portfolio."}
    assert parse_standard({**base, "manual_checks": [check]}, "x.yaml").manual_checks[0].per == "portfolio"
    for bad, message in (([{**check, "per": "page"}], "expected one of portfolio, clip, scan, statement"),
                         ([check, check], "appears more than once"),
                         ([{**check, "item": None}], "item"),
                         ([{**check, "colour": "red"}], "unknown field 'colour'")):
        with pytest.raises(CatalogueError, match=message):
            parse_standard({**base, "manual_checks": bad}, "x.yaml")


# --------------------------------------------------------------------------- scans


@needs_engine
def test_a_scanned_statement_named_by_a_scanner_is_recognised_by_what_it_says(checked: Assessment) -> None:
    attribution = checked.outcome("attribution")
    assert attribution.status is Status.PASS, [f.message for f in attribution.findings]
    assert checked.attribution.statement is not None and checked.attribution.statement.path == STATEMENT_SCAN
    record = next(r for r in checked.portfolio.records if r.path == STATEMENT_SCAN)
    assert record.metadata["text_source"] == "ocr" and record.metadata["ocr_pages"] == 1
    assert record.metadata["ocr_engine"].startswith("Tesseract") and record.metadata["ocr_confidence"] > 50
    # ... and listed for a person to check the signatures, which the tool cannot judge
    assert ("signatures-genuine", STATEMENT_SCAN) in [(c.id, c.subject) for c in checked.manual_checks]


@needs_engine
def test_a_scanned_page_of_something_else_is_not_the_statement(checked: Assessment) -> None:
    record = next(r for r in checked.portfolio.records if r.path == OTHER_SCAN)
    assert record.text is not None and "call sheet" in record.text.lower()  # text for the KSB mapper
    attribution = checked.attribution
    assert OTHER_SCAN not in attribution.candidates and OTHER_SCAN not in attribution.unverified
    assert OTHER_SCAN in checked.evidence_files
    assert ("scan-legible", OTHER_SCAN) in [(c.id, c.subject) for c in checked.manual_checks]


def test_without_the_ocr_engine_the_scans_not_read_are_named_and_the_check_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    why = "Tesseract is not installed: the tesserocr package could not be loaded (test)."
    monkeypatch.setattr(ocr, "ocr_available", lambda: (False, why))  # workers fork: they inherit it
    root = _portfolio(tmp_path / "Sam Patel 1234567899", None, scans=True)
    assessment = check_portfolio(root, discover(), CheckSettings())
    unread = [f for f in assessment.findings if f.code == "scan-not-read"]
    assert sorted(f.path for f in unread) == [STATEMENT_SCAN, OTHER_SCAN]
    assert all(why in f.message and f.severity.value == "warning" for f in unread)
    # the rest ran: the likely statement is left to a person, and the verdict is the rules' own
    assert assessment.verdict == "ready"
    assert STATEMENT_SCAN in assessment.attribution.unverified
    assert "attribution-unverified" in {f.code for f in assessment.findings}
    assert {c.subject for c in assessment.manual_checks if c.id == "scan-legible"} == {STATEMENT_SCAN, OTHER_SCAN}


def test_a_clip_that_cannot_be_looked_at_is_a_warning_not_an_unreadable_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made_clips: dict[str, Path]) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ExtractionProblem(FILE_UNREADABLE, "the clip could not be opened to look at its pictures.")

    monkeypatch.setattr(faces_module, "faces_in_clip", refuse)
    shutil.copyfile(made_clips["silent"], tmp_path / "clip.mp4")
    record = extract_file(ingest(tmp_path).files[0])
    assert record.error is None and record.faces is None and record.kind == "video"
    assert [p.code for p in record.problems] == [VIDEO_LOOK_INCOMPLETE]
    assert "video-look-incomplete" in [p.code for p in record.problems]
    assert SCAN_NOT_READ not in [p.code for p in record.problems]


def test_without_vision_nothing_is_looked_at_and_the_person_line_says_so(
        tmp_path: Path, made_clips: dict[str, Path]) -> None:
    root = _portfolio(tmp_path / "Sam Patel 1234567899", {"portrait": made_clips["portrait"]}, scans=False)
    assessment = check_portfolio(root, discover(), CheckSettings(extraction=ExtractionSettings(vision=False)))
    assert all(r.faces is None for r in assessment.portfolio.records)
    outcome = assessment.outcome("video-person")
    assert (outcome.status, outcome.figure.text) == (Status.UNKNOWN, "1 clip not looked at")


# --------------------------------------------------------------------------- what a person must check


def test_every_clip_scan_and_statement_is_listed_to_check_by_hand(checked: Assessment) -> None:
    by_id: dict[str, list[str | None]] = {}
    for check in checked.manual_checks:
        by_id.setdefault(check.id, []).append(check.subject)
    # catalogue order; without the OCR engine there are no scans here, and so no statement
    expected = (["apprentice-identifiable", "signatures-genuine", "scan-legible", "evidence-own-work"] if AVAILABLE
                else ["apprentice-identifiable", "evidence-own-work"])
    assert list(by_id) == expected
    videos = sorted(c.path for c in checked.clips if c.kind == "video")
    assert sorted(by_id["apprentice-identifiable"]) == videos  # the sound recording is not a clip to watch
    assert by_id["evidence-own-work"] == [None]
    portrait = next(c for c in checked.manual_checks if c.subject == CLIPS["portrait"])
    assert portrait.note is not None and portrait.note.startswith("A face was seen in")


def test_reports_carry_the_list_with_room_to_sign_and_the_contact_sheets_only_in_html(checked: Assessment) -> None:
    report = assessment_to_dict(checked)
    manual = report["manual_checks"]
    assert manual and all(set(m) == {"id", "item", "subject", "why", "note", "checked_by", "checked_on"}
                          for m in manual)
    assert all(m["checked_by"] is None and m["checked_on"] is None for m in manual)
    files = {f["path"]: f for f in report["files"]}
    assert files[CLIPS["portrait"]]["faces"]["frames_with_face"] >= 3
    assert "data:image" not in json.dumps(report)  # no pictures of people in report.json

    text = render_check_text(checked, width=200)
    assert "Check by hand" in text and f"[ ] The apprentice is in view and identifiable in the clip. " \
                                       f"({CLIPS['portrait']})" in text

    from lxml import html

    document = html.fromstring(render_report_html(checked, report))
    sheets = {figure.xpath("string(figcaption)").split(":")[0]: figure.xpath("img/@src")
              for figure in document.xpath("//figure[@class='sheet']")}
    assert CLIPS["portrait"] in sheets and 1 <= len(sheets[CLIPS["portrait"]]) <= faces_module.CONTACT_SHEET_FRAMES
    assert sum(len(src) for frames in sheets.values() for src in frames) <= html_view.CONTACT_SHEETS_MAX_BYTES


def test_contact_sheets_beyond_the_report_budget_are_left_out_and_named(
        checked: Assessment, monkeypatch: pytest.MonkeyPatch) -> None:
    from lxml import html

    monkeypatch.setattr(html_view, "CONTACT_SHEETS_MAX_BYTES", 1)
    document = html.fromstring(render_report_html(checked, assessment_to_dict(checked)))
    assert document.xpath("//figure[@class='sheet']") == []
    assert "Contact sheets left out to keep this report small" in document.text_content()


def test_the_frames_boxed_on_a_contact_sheet_are_small_jpegs(checked: Assessment) -> None:
    import base64

    from PIL import Image

    record = next(r for r in checked.portfolio.records if r.path == CLIPS["portrait"])
    assert record.faces is not None
    for uri in record.faces.contact_sheet:
        picture = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
        assert picture.format == "JPEG" and picture.width <= faces_module.THUMBNAIL_WIDTH


def test_files_without_scans_or_clips_load_no_vision_library(tmp_path: Path) -> None:
    """A Word file and a PDF with text are read as before: OpenCV and Tesseract stay unimported."""
    import subprocess

    import builders

    builders.docx(tmp_path / "Call sheet.docx", ["Call time 07:00"], title="Call sheet")
    builders.pdf(tmp_path / "Notes.pdf", [["Rushes logged, transcripts ordered"]])
    code = ("import sys; from portfolio_check.ingest.inventory import ingest; "
            "from portfolio_check.extract.runner import extract_file; "
            f"records = [extract_file(f, thumbnails=True) for f in ingest({str(tmp_path)!r}).files]; "
            "assert all(r.error is None and r.text for r in records), records; "
            "print(sorted(m for m in ('cv2', 'tesserocr') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


#: A page of a risk assessment as an apprentice scans it: typed, printed, signed, scanned.
SCANNED_RISK_ASSESSMENT = [
    "Risk assessment - harbour and boat work",
    "Drafted by the production coordinator after the recce",
    "Hazard: falling into the harbour from the wall",
    "Control: lifejackets for anyone within 2 m of the edge",
    "Hazard: slips on wet steps covered in weed",
    "Control: the skipper helps crew on and off the boat",
    "Hazard: drone flying over members of the public",
    "Control: take-off from a closed area, observer present",
    "Risk rating before and after the controls: 12 and 4",
    "Read out at the safety briefing; all crew signed it",
    "Nearest A&E: Dorset County Hospital, Dorchester",
]


@needs_engine
def test_claims_on_a_scanned_piece_are_judged_on_the_text_read_from_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scanned risk assessment claimed for K11 (hazards and risks) and K19 (music clearance): the text
    read by OCR bears out the first and not the second; with no OCR engine neither is judged or warned."""
    root = tmp_path / "Sam Patel 1234567899"
    root.mkdir()
    image_only_pdf(root / "Scan_20260310_1102.pdf", [scanned_page(SCANNED_RISK_ASSESSMENT, angle=1.0, seed=5)])
    portfolios.write_manifest(root, [("1", "Risk assessment (scanned)", ["Scan_20260310_1102.pdf"], ["K11", "K19"])],
                              portfolios.Spec())
    assessment = check_portfolio(root, discover())
    assert {c.code: c.judgement.verdict for c in assessment.claims} == {"K11": "supported", "K19": "weak"}
    weak = [f for f in assessment.findings if f.code == "ksb-claim-unsupported"]
    assert [f.ksb for f in weak] == ["K19"]
    # It quotes what the scan says, as read from the picture of the page.
    assert "Risk assessment - harbour and boat work" in weak[0].message
    assert "reads more like evidence for K11" in weak[0].message

    monkeypatch.setattr(ocr, "ocr_available", lambda: (False, "not installed (test)"))  # workers fork: they inherit it
    unread = check_portfolio(root, discover())
    assert {c.code: c.judgement.verdict for c in unread.claims} == {"K11": "not judged", "K19": "not judged"}
    assert "ksb-claim-unsupported" not in {f.code for f in unread.findings}
