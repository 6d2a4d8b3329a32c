"""Everything that crosses a process boundary survives pickling.

The sandbox's workers (extract/sandbox.py) receive `IngestedFile` and `DocumentTask` tasks and send
back a `FileRecord`, a `Manifest`, a details mapping, an `ExtractionProblem` or an `Overrun`; batch
workers (portfolio_check/batch) receive a `PortfolioTask` and send back a `PortfolioRow`, and with
the spawn start method (Windows) their checker, catalogues and settings are pickled too; the
fuzzer's pool sends a `Case` and gets an `Outcome`. An exception whose ``__init__`` does not take
its ``args`` back cannot be unpickled (``TypeError: __init__() missing 1 required positional
argument``), which is how a damaged manifest once became a traceback: each type is round-tripped
here, built as the code builds it.
"""

from __future__ import annotations

import io
import pickle
import sys
import zipfile
from dataclasses import fields, is_dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import builders

from portfolio_check.extract.manifest import (
    ManifestChoice,
    PortfolioDetails,
    choose_manifest,
    read_manifest,
    read_portfolio_details,
)
from portfolio_check.extract.model import EmbeddedPart, Extraction, ExtractionProblem, FileRecord, Problem
from portfolio_check.extract.runner import DocumentTask, ExtractionSettings, extract_file, extract_with_documents
from portfolio_check.findings import Finding, Severity
from portfolio_check.ingest.inventory import IngestedFile, Locator, ingest
from portfolio_check.workers import Budget, IsolatedRunner, Overrun


def round_trip(value: object) -> object:
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def same(a: object, b: object) -> bool:
    """Equal as data: dataclasses field by field, exceptions by type, args and attributes."""
    if isinstance(a, BaseException):
        return type(a) is type(b) and a.args == b.args and vars(a) == vars(b) and str(a) == str(b)  # type: ignore[arg-type]
    if is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))  # type: ignore[arg-type]
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real portfolio: a Word document, a CSV manifest, portfolio.yaml and a zip inside."""
    folder = tmp_path_factory.mktemp("Sam Patel 9999999999")
    builders.docx(folder / "01 call sheet.docx", ["Call time 07:00"], title="Call sheet")
    (folder / "KSB mapping.csv").write_text("Piece,Title,Files,KSBs\n1,Call sheet,01 call sheet.docx,K1-K3\n"
                                           "1,,week3/notes.txt,S9\n", encoding="utf-8")
    (folder / "portfolio.yaml").write_text("apprentice: Sam Patel\nuln: '9999999999'\nstandard: ST0792\n", encoding="utf-8")
    with zipfile.ZipFile(folder / "week3.zip", "w") as archive:
        archive.writestr("notes.txt", "Notes from the recce\n")
    return folder


def test_extraction_problem_round_trips_with_its_code_message_and_place() -> None:
    problem = ExtractionProblem("manifest-invalid", "the manifest is not valid JSON at line 3, column 5: ...",
                                where="line 3, column 5")
    back = round_trip(problem)
    assert isinstance(back, ExtractionProblem)
    assert (back.code, back.message, back.where, str(back)) == (problem.code, problem.message, "line 3, column 5",
                                                                problem.message)
    assert same(round_trip(ExtractionProblem("file-unreadable", "damaged")), ExtractionProblem("file-unreadable", "damaged"))


class Located(ExtractionProblem):
    """A subclass with the same arguments, as extractors may define."""


def test_a_subclass_keeps_its_extra_state() -> None:
    problem = Located("manifest-invalid", "bad row", "row 7")
    problem.sheet = "Evidence"  # type: ignore[attr-defined]
    back = pickle.loads(pickle.dumps(problem))
    assert type(back) is Located and back.sheet == "Evidence" and back.where == "row 7"


def test_what_the_sandbox_sends_and_returns(portfolio: Path) -> None:
    inventory = ingest(portfolio)
    for item in inventory.files:
        assert isinstance(item, IngestedFile) and isinstance(item.locator, Locator)
        assert same(round_trip(item), item)
    inside = next(f for f in inventory.files if "!/" in f.path)
    assert inside.locator.chain and same(round_trip(inside.locator), inside.locator)
    word = next(f for f in inventory.files if f.path.endswith(".docx"))
    record = extract_file(word, thumbnails=False)
    assert isinstance(record, FileRecord) and record.metadata
    record.problems.append(Problem("legacy-format", "kept for the test"))
    assert same(round_trip(record), record)
    for task in (DocumentTask("manifest", next(f for f in inventory.files if f.path == "KSB mapping.csv")),
                 DocumentTask("details", next(f for f in inventory.files if f.path == "portfolio.yaml"))):
        assert same(round_trip(task), task)
    assert same(round_trip(Overrun("time", "took longer than 30 seconds")), Overrun("time", "took longer than 30 seconds"))
    extraction = Extraction(metadata={"pages": 2}, text="hello", problems=[Problem("macro-enabled", "macros")],
                            embedded_media=[EmbeddedPart("ppt/media/media1.mp4", 1234)])
    assert same(round_trip(extraction), extraction)


def test_documents_read_by_the_sandbox_come_back_across_the_process_boundary(portfolio: Path, tmp_path: Path) -> None:
    """The case of the issue: a damaged manifest read in a worker process comes back as a problem."""
    broken = tmp_path / "manifest.json"
    broken.write_text('{"pieces": [{"piece": 1,}]}', encoding="utf-8")
    inventory = ingest(portfolio)
    tasks = [DocumentTask("manifest", IngestedFile("manifest.json", broken.stat().st_size, Locator(str(broken)))),
             DocumentTask("manifest", next(f for f in inventory.files if f.path == "KSB mapping.csv")),
             DocumentTask("details", next(f for f in inventory.files if f.path == "portfolio.yaml"))]
    _, read = extract_with_documents(inventory, tasks, ExtractionSettings(jobs=1))
    problem, manifest, details = read
    assert isinstance(problem, ExtractionProblem) and problem.code == "manifest-invalid"
    assert "line 1, column 25" in problem.message and problem.where == "line 1, column 25"
    assert [(row.where, row.files, row.codes) for row in manifest.rows] == [  # type: ignore[attr-defined]
        ("rows 2-3", ("01 call sheet.docx", "week3/notes.txt"), ("K1", "K2", "K3", "S9"))]
    # The details come back as `PortfolioDetails` (or, from an older runner, as their mapping).
    values = details.values if isinstance(details, PortfolioDetails) else details
    assert values["uln"] == "9999999999"  # type: ignore[index]


def test_an_isolated_runner_returns_exceptions_as_values() -> None:
    runner: IsolatedRunner[str, object] = IsolatedRunner(_problem_for, jobs=1, budget=Budget(seconds=20))
    results = runner.map(["row 7", "line 2"])
    assert [type(r) for r in results] == [ExtractionProblem, ExtractionProblem]
    assert [r.where for r in results] == ["row 7", "line 2"]  # type: ignore[union-attr]


def _problem_for(where: str) -> ExtractionProblem:
    return ExtractionProblem("manifest-invalid", f"something is wrong at {where}", where=where)


def test_manifest_types_round_trip(portfolio: Path) -> None:
    data = (b"Piece,Title,Files,KSBs,Date\n1,Call sheet,a.docx,K19-K21,12/31/2025\n1,Risk,b.pdf,K1 etc,\n"
            b",,c.pdf,S1,\n")
    manifest = read_manifest(io.BytesIO(data), len(data), "KSB mapping.csv")
    assert manifest.rows and manifest.notes
    assert same(round_trip(manifest), manifest)
    choice = choose_manifest(["KSB mapping (1).csv", "KSB mapping.csv", "mapping v2.xlsx"])
    assert isinstance(choice, ManifestChoice) and choice.set_aside and choice.rivals
    assert same(round_trip(choice), choice)
    text = b"apprentice: Sam\nstandrad: ST0792\noption: [a, b]\n"
    details = read_portfolio_details(io.BytesIO(text), len(text))
    assert isinstance(details, PortfolioDetails) and details.notes
    assert same(round_trip(details), details)


def test_findings_and_batch_sources_round_trip(tmp_path: Path) -> None:
    from portfolio_check.batch import PortfolioSource, discover

    finding = Finding("manifest-invalid", Severity.ERROR, "The manifest could not be read.", path="manifest.json",
                      piece="3", fix="Correct it.")
    back = round_trip(finding)
    assert same(back, finding) and back.severity is Severity.ERROR  # type: ignore[attr-defined]
    export = tmp_path / "export"
    (export / "Sam Patel 9999999999").mkdir(parents=True)
    (export / "Sam Patel 9999999999" / "a.txt").write_text("evidence", encoding="utf-8")
    with zipfile.ZipFile(export / "Ann Lee 1234567890.zip", "w") as archive:
        archive.writestr("a.txt", "evidence")
    sources = discover(str(export)).portfolios
    assert len(sources) == 2 and all(isinstance(s, PortfolioSource) for s in sources)
    for source in sources:
        assert same(round_trip(source), source)
    from portfolio_check.batch.checking import PortfolioTask
    from portfolio_check.batch.rows import error_row

    task = PortfolioTask(sources[0], "fingerprint")
    assert same(round_trip(task), task)
    row = error_row(sources[1], "the zip is password-protected: zip it again without a password")
    assert same(round_trip(row), row)


def test_catalogues_and_settings_round_trip_for_spawned_batch_workers() -> None:
    """Under the spawn start method a batch worker's arguments are pickled, errors included."""
    from portfolio_check.batch import BatchSettings
    from portfolio_check.catalogue.loader import discover
    from portfolio_check.errors import CatalogueError, UnknownChoiceError

    catalogues = discover()
    catalogues.errors.append(CatalogueError("mine.yaml", "ksbs[3]", "the code K3 is given twice"))
    back = round_trip(catalogues)
    assert [s.reference for s in back.standards] == [s.reference for s in catalogues.standards]  # type: ignore[attr-defined]
    assert same(back.errors, catalogues.errors)  # type: ignore[attr-defined]
    unknown = UnknownChoiceError("option", "editor", ["production-coordinator"], "ST0792")
    assert str(round_trip(unknown)) == str(unknown)
    settings = BatchSettings(jobs=2, shard=(1, 4))
    assert same(round_trip(settings), settings)
    from pathlib import Path as _Path

    from portfolio_check.batch.checking import PortfolioChecker
    from portfolio_check.pipeline import CheckSettings

    checker = PortfolioChecker(catalogues, CheckSettings(flags={"standard": "ST0792"}), _Path("out"), _Path("scratch"))
    back_checker = round_trip(checker)
    assert back_checker.settings == checker.settings and back_checker.output_dir == checker.output_dir  # type: ignore[attr-defined]


def test_fuzz_cases_and_outcomes_round_trip() -> None:
    from fuzz.targets import Case, Outcome

    case = Case("manifest-xlsx", "/tmp/input.xlsx", "KSB mapping.xlsx")
    outcome = Outcome(None, ("manifest-invalid",), ("zlib.error",))
    assert same(round_trip(case), case) and same(round_trip(outcome), outcome)


def test_what_the_vision_steps_put_on_a_record_round_trips() -> None:
    """A video's look (`ClipFaces`, contact sheet included) rides on its `FileRecord` from the worker;
    the manual checks and the catalogue items behind them are part of the assessment batch workers send."""
    from portfolio_check.catalogue.model import ManualCheckItem
    from portfolio_check.checks.model import ManualCheck
    from portfolio_check.extract.faces import ClipFaces, FaceBox, SampledFrame

    faces = ClipFaces(frames_sampled=2, frames_with_face=1, largest_face=0.31,
                      frames=(SampledFrame(1.0, (FaceBox(0.4, 0.2, 0.2, 0.31),)), SampledFrame(3.0, ())),
                      has_video=True, has_audio=False, width=640, height=360, duration_seconds=4.0,
                      still_image=False, contact_sheet=("data:image/jpeg;base64,AAAA",), seconds=0.2,
                      problems=(Problem("video-look-incomplete", "1 sampled frame could not be looked at"),))
    record = FileRecord(path="clip.mp4", size=10, sha256=None, kind="video", format="mp4", description="MP4 video",
                        metadata={"text_source": "ocr", "ocr_pages": 1}, faces=faces)
    assert same(round_trip(record), record)
    assert "contact_sheet" not in record.to_dict()["faces"] and record.to_dict()["faces"]["frames_with_face"] == 1
    for value in (ManualCheck("apprentice-identifiable", "The apprentice is in view.", "clip.mp4", "Only a person "
                              "can tell who it is.", "A face was seen in 1 of 2 sampled frames."),
                  ManualCheckItem("scan-legible", "The scan can be read.", "OCR can misread.", "scan")):
        assert same(round_trip(value), value)
