"""Seeds, mutations and the per-input check that the fuzzer and the test suite share.

A target is a family of inputs (docx, pptx, pdf, mp4, zip; manifests as CSV, Excel, old Excel,
OpenDocument, a Word table, YAML and JSON; ``portfolio.yaml`` details). Seeds are real files: built
here with the test builders and the real libraries, plus the shared corpus beside the repository when
it is present (read in place, never copied into the project). A mutated input is written to a scratch
folder and run through the real code: `extract_file` on an `IngestedFile` for a document or clip,
`ingest` then `extract_file` on every member for a zip, `read_manifest` or `read_portfolio_details`
for the portfolio's own documents. The property: a `FileRecord` always comes back, and a manifest or
details reader returns its result or raises `ExtractionProblem`, nothing else; either survives
pickling, as it must to come back from a sandbox worker.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
MANIFEST_TARGETS = ("manifest-csv", "manifest-xlsx", "manifest-xls", "manifest-ods", "manifest-docx",
                    "manifest-yaml", "manifest-json")
TARGETS = ("docx", "pptx", "pdf", "mp4", "zip", *MANIFEST_TARGETS, "details")
#: Corpus files used as seeds, per target, by extension.
CORPUS_SUFFIXES = {"docx": (".docx",), "pptx": (".pptx",), "pdf": (".pdf",),
                   "mp4": (".mp4", ".mov", ".m4a", ".3gp", ".webm", ".mkv"), "zip": (".zip",),
                   "manifest-xls": (".xls",), "manifest-ods": (".ods",)}
#: Targets whose inputs are zip packages, mutated inside their members too.
PACKAGE_TARGETS = ("docx", "pptx", "zip", "manifest-xlsx", "manifest-ods", "manifest-docx")
#: Targets whose inputs are text, also mutated with the characters that shape them.
TEXT_TARGETS = ("manifest-csv", "manifest-yaml", "manifest-json", "details")
#: Kept .xls and .ods manifests (LibreOffice wrote them; see tests/data/manifests/make_fixtures.py).
MANIFEST_FIXTURES = REPO / "tests" / "data" / "manifests"
#: Zip members of a mutated archive that are extracted at most (a mutation can multiply them).
MEMBERS_EXTRACTED = 12
#: Values that make length and offset fields interesting.
INTERESTING = (b"\x00\x00\x00\x00", b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"\x80\x00\x00\x00",
               b"\x00\x00\x00\x01", b"\xff\xfe", b"\x00\x00", b"\x01\x00", b"\xff")


@dataclass(frozen=True)
class Seed:
    target: str
    name: str
    data: bytes


def build_seeds(folder: Path, use_corpus: bool = True) -> dict[str, list[Seed]]:
    """Seeds for every target: generated with the real libraries, then corpus files when present."""
    sys.path.insert(0, str(REPO / "tests"))
    import builders  # the tests' file builders

    folder.mkdir(parents=True, exist_ok=True)
    clip = builders.clip(folder / "walkthrough.mp4", 2)
    webm = builders.clip(folder / "walkthrough.webm", 2, "webm")
    made = {
        "docx": [builders.docx(folder / "call sheet.docx", ["Call time 07:00", "Unit base: Studio 2"],
                               title="Call sheet", table=[["Role", "Name"], ["Runner", "Sam"]])],
        "pptx": [builders.pptx(folder / "deck.pptx", ["Schedule", "Risks"], notes=["Notes"], movie=clip)],
        "pdf": [builders.pdf(folder / "schedule.pdf", [["Production schedule", "Monday: recce"], ["Tuesday"]]),
                builders.pdf(folder / "locked.pdf", [["secret"]], owner_password="owner")],
        "mp4": [clip, webm],
    }
    seeds = {target: [Seed(target, p.name, p.read_bytes()) for p in paths] for target, paths in made.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Sam Patel/01 call sheet.docx", seeds["docx"][0].data)
        archive.writestr("Sam Patel/02 schedule.pdf", seeds["pdf"][0].data)
        archive.writestr("Sam Patel/notes.txt", "Evidence notes\n" * 20)
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as nested:
            nested.writestr("week3/photo.png", builders.png_bytes())
        archive.writestr("Sam Patel/extra.zip", inner.getvalue())
    seeds["zip"] = [Seed("zip", "portfolio.zip", buffer.getvalue())]
    seeds.update(_manifest_seeds(folder, builders))
    if use_corpus and CORPUS.is_dir():
        for target, suffixes in CORPUS_SUFFIXES.items():
            for path in sorted(CORPUS.rglob("*")):
                if path.is_file() and path.suffix.lower() in suffixes and path.stat().st_size <= 4 * 1024**2:
                    seeds[target].append(Seed(target, path.name, path.read_bytes()))
    return seeds


def _manifest_seeds(folder: Path, builders: Any) -> dict[str, list[Seed]]:
    """Manifests and details as providers write them, habits included: continuation rows, merged
    cells, ranges, unreadable dates, lists of files in a cell, a Portfolio sheet."""
    from openpyxl import Workbook

    rows: list[list[object]] = [
        ["Piece", "Title", "Files", "KSBs", "Date", "Location"],
        [1, "Call sheet", "01 Pre/call sheet.docx; notes.pdf", "K1, K2-K4", "14/03/2026", "p. 2"],
        [None, None, "week3\\clip.mp4", "S9 to S11", None, "00:10-01:20"],
        [2, "Risk assessment", "Report, final.docx, risk.pdf", "K11; B3 etc", "12/31/2025", None],
        [2, "Risk register", "https://contoso.sharepoint.com/sites/A/Shared%20Documents/risk.xlsx?web=1", "K19–21",
         "Mar-25", None],
        [3, "Budget", "budget", "D1-D3, K19-S3", "2025-13-45", None],
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Evidence"
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    details = workbook.create_sheet("Portfolio")
    for pair in (["Apprentice", "Sam Patel"], ["ULN", "9999999999"], ["Standard", "ST0792"]):
        details.append(pair)
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    grid = Workbook()
    grid.active.append(["Piece", "Title", "Files", "K1", "K2", "S1", "B3"])
    grid.active.append([1, "Deck", "deck.pptx", "x", None, "✓", "partly"])
    grid.active.append([2, "Clip", "clip.mp4", None, "yes", None, 1])
    grid_bytes = io.BytesIO()
    grid.save(grid_bytes)
    csv_text = "\n".join(",".join(f'"{c}"' if c is not None and ("," in str(c) or ";" in str(c)) else str(c or "")
                                  for c in row) for row in rows) + "\n"
    table = [[str(c or "") for c in row[:4]] for row in rows]
    word = builders.docx(folder / "KSB mapping.docx", ["KSB mapping"], table=table)
    yaml_text = ("portfolio:\n  apprentice: Sam Patel\n  standard: ST0792\npieces:\n"
                 "  - piece: 1\n    title: Call sheet\n    files: [call sheet.docx, notes.pdf]\n    ksbs: K1-K3, S9\n"
                 "    date: 14/03/2026\n  - piece: 1\n    title: Call sheet\n    files: clip.mp4\n    ksbs: [B3]\n"
                 "  - piece: 2\n    title: Risk\n    files: risk.pdf\n    duties: D1 to D3\n    date: Mar-25\n")
    json_text = ('{"portfolio": {"apprentice": "Sam Patel", "uln": "9999999999"}, "pieces": ['
                 '{"piece": "1", "title": "Call sheet", "files": ["call sheet.docx"], "ksbs": "K1-K3"}, '
                 '{"piece": "2", "title": "Risk", "files": "risk.pdf, plan.docx", "ksbs": ["K11", "S2"], '
                 '"date": "2025-13-45"}]}')
    details_text = ("# Portfolio details\napprentice: Sam Patel\nuln: '0123456789'\nemployer: Harbourlight Ltd\n"
                    "standard: ST0792\nversion: '1.2'\noption: production-coordinator\nstart_date: 2024-09-02\n"
                    "gateway_date: 2026-03-16\ntraining_provider: Northgate\n")
    nested_details = "portfolio:\n  apprentice: Alex Doe\n  standard: ST1457\n  start_date: 09/09/2024\n"
    fixtures = {suffix: [p for p in sorted(MANIFEST_FIXTURES.glob(f"*.{suffix}"))] for suffix in ("xls", "ods")}
    return {
        "manifest-csv": [Seed("manifest-csv", "KSB mapping.csv", csv_text.encode("utf-8")),
                         Seed("manifest-csv", "mapping.txt", csv_text.replace(",", "\t").encode("cp1252", "replace"))],
        "manifest-xlsx": [Seed("manifest-xlsx", "KSB mapping.xlsx", xlsx.getvalue()),
                          Seed("manifest-xlsx", "mapping grid.xlsx", grid_bytes.getvalue())],
        "manifest-xls": [Seed("manifest-xls", p.name, p.read_bytes()) for p in fixtures["xls"]],
        "manifest-ods": [Seed("manifest-ods", p.name, p.read_bytes()) for p in fixtures["ods"]],
        "manifest-docx": [Seed("manifest-docx", word.name, word.read_bytes())],
        "manifest-yaml": [Seed("manifest-yaml", "manifest.yaml", yaml_text.encode())],
        "manifest-json": [Seed("manifest-json", "manifest.json", json_text.encode())],
        "details": [Seed("details", "portfolio.yaml", details_text.encode()),
                    Seed("details", "portfolio.yaml", nested_details.encode())],
    }


#: Characters that give text formats their shape: separators, quotes, indentation, brackets.
TEXT_SHAPERS = (b",", b";", b"\t", b"\n", b"  ", b":", b"- ", b'"', b"'", b"[", b"]", b"{", b"}", b"&a", b"*a",
                b"\xef\xbb\xbf", b"\x00", b"K1-K999", b"\\", b"#")


def mutate_text(data: bytes, rng: random.Random) -> bytes:
    """Insert, replace or delete the characters that shape CSV, YAML and JSON, and duplicate lines."""
    out = bytearray(data)
    for _ in range(rng.choice((1, 2, 3, 6))):
        position = rng.randrange(len(out) + 1)
        action = rng.randrange(4)
        if action == 0:
            out[position:position] = rng.choice(TEXT_SHAPERS)
        elif action == 1 and out:
            out[position:position + 1] = rng.choice(TEXT_SHAPERS)
        elif action == 2 and out:
            del out[position:position + rng.randrange(1, 8)]
        else:
            lines = bytes(out).split(b"\n")
            line = rng.randrange(len(lines))
            lines.insert(line, lines[line] * rng.choice((1, 1, 2, 50)))
            out = bytearray(b"\n".join(lines))
    return bytes(out)


def mutate_bytes(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    """A few byte-level edits, biased towards the start and the end where headers and indexes live."""
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 5, 10, 30))):
        if not out:
            out += bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 64)))
            continue
        reach = min(len(out), rng.choice((256, 4096, len(out))))
        position = rng.randrange(reach) if rng.random() < 0.7 else len(out) - 1 - rng.randrange(reach)
        action = rng.randrange(8)
        if action == 0:
            out[position] ^= 1 << rng.randrange(8)
        elif action == 1:
            out[position] = rng.randrange(256)
        elif action == 2:
            value = rng.choice(INTERESTING)
            out[position:position + len(value)] = value
        elif action == 3:
            del out[position:position + rng.randrange(1, 256)]
        elif action == 4:
            out[position:position] = bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 64)))
        elif action == 5:
            start = rng.randrange(len(out))
            chunk = out[start:start + rng.randrange(1, 2048)]
            out[position:position] = chunk * rng.randrange(1, 4)
        elif action == 6:
            del out[rng.randrange(1, len(out) + 1):]
        elif others:
            donor = rng.choice(others)
            start = rng.randrange(max(1, len(donor)))
            out[position:position + 512] = donor[start:start + 512]
    return bytes(out)


def mutate_package(data: bytes, rng: random.Random) -> bytes | None:
    """Edit one member of a zip (an Office package or an archive) and zip it again, or None if not a zip.

    Byte edits mostly break a zip's checksums; editing inside a member reaches the XML and media readers.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            members = [(info, source.read(info)) for info in source.infolist()]
    except Exception:  # noqa: BLE001 - a previous mutation broke the zip: fall back to byte edits
        return None
    if not members:
        return None
    index = rng.randrange(len(members))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for number, (info, content) in enumerate(members):
            name = info.filename
            if number == index:
                choice = rng.randrange(10)
                if choice == 0:
                    continue  # a missing part
                if choice == 1:
                    name = rng.choice(("../" + name, "/" + name, name.upper(), name + "\x00x", name.replace("/", "\\")))
                else:
                    content = mutate_bytes(content, rng, [])
            target.writestr(name, content)
        if rng.random() < 0.1:
            target.writestr(members[index][0].filename, members[index][1])  # a duplicate entry
    return buffer.getvalue()


def mutate(seed: Seed, rng: random.Random, others: list[bytes]) -> bytes:
    if seed.target in TEXT_TARGETS and rng.random() < 0.6:
        return mutate_text(seed.data, rng)
    if seed.target in PACKAGE_TARGETS and rng.random() < 0.6:
        packaged = mutate_package(seed.data, rng)
        if packaged is not None:
            return packaged if rng.random() < 0.8 else mutate_bytes(packaged, rng, [])
    return mutate_bytes(seed.data, rng, others)


@dataclass(frozen=True)
class Case:
    """One input to run: its target, where it was written, and the name it is extracted under."""

    target: str
    path: str
    name: str


@dataclass(frozen=True)
class Outcome:
    """What one input did: ``raised`` is a traceback when the property failed, else None."""

    raised: str | None
    codes: tuple[str, ...]
    #: Exception types the runner's catch-all turned into file-unreadable (reported, not failures).
    caught: tuple[str, ...]


def run_case(case: Case) -> Outcome:
    """Run one input through the real stages; never raises (a failure is returned as a traceback)."""
    import traceback

    from portfolio_check.extract.model import FileRecord
    from portfolio_check.extract.runner import extract_file
    from portfolio_check.ingest.inventory import IngestedFile, InputError, Locator, ingest

    codes: list[str] = []
    caught: list[str] = []
    if case.target in MANIFEST_TARGETS or case.target == "details":
        return _run_document(case)
    try:
        if case.target == "zip":
            try:
                items = ingest(case.path).files[:MEMBERS_EXTRACTED]
            except InputError:
                return Outcome(None, ("input-error",), ())
        else:
            size = Path(case.path).stat().st_size
            items = [IngestedFile(path=case.name, size=size, locator=Locator(case.path))]
        for number, item in enumerate(items):
            record = extract_file(item, thumbnails=number % 2 == 0)
            if not isinstance(record, FileRecord):
                return Outcome(f"extract_file returned {type(record).__name__}", (), ())
            record.to_dict(include_text=True)
            codes += [p.code for p in record.problems]
            caught += [p.message.rsplit("(", 1)[-1].split(")")[0] for p in record.problems
                       if "it may be damaged (" in p.message]
    except BaseException:  # noqa: BLE001 - the property under test: nothing escapes
        return Outcome(traceback.format_exc(), tuple(codes), tuple(caught))
    return Outcome(None, tuple(codes), tuple(caught))


def _run_document(case: Case) -> Outcome:
    """A manifest or details file through its reader: a result or `ExtractionProblem`, both picklable."""
    import pickle
    import traceback

    from portfolio_check.extract.manifest import Manifest, PortfolioDetails, read_manifest, read_portfolio_details
    from portfolio_check.extract.model import ExtractionProblem

    try:
        size = Path(case.path).stat().st_size
        with open(case.path, "rb") as stream:
            try:
                if case.target == "details":
                    result: object = read_portfolio_details(stream, size, case.name)
                    expected: type = PortfolioDetails
                else:
                    result, expected = read_manifest(stream, size, case.name), Manifest
            except ExtractionProblem as problem:
                back = pickle.loads(pickle.dumps(problem))
                if (back.code, back.message, back.where) != (problem.code, problem.message, problem.where):
                    return Outcome("ExtractionProblem changed through pickling", (), ())
                return Outcome(None, (problem.code,), ())
        if not isinstance(result, expected):
            return Outcome(f"the reader returned {type(result).__name__}", (), ())
        if pickle.loads(pickle.dumps(result)) != result:
            return Outcome("the result changed through pickling", (), ())
        return Outcome(None, ("read",), ())
    except BaseException:  # noqa: BLE001 - the property under test: nothing else escapes
        return Outcome(traceback.format_exc(), (), ())
