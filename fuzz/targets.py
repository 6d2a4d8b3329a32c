"""Seeds, mutations and the per-input check that the fuzzer and the test suite share.

A target is a family of inputs (docx, pptx, pdf, mp4, zip). Seeds are real files: built here with the
test builders, plus the shared corpus beside the repository when it is present (read in place, never
copied into the project). A mutated input is written to a scratch folder and run through the real
extraction: `extract_file` on an `IngestedFile` for a document or clip, `ingest` then `extract_file`
on every member for a zip. The property: a `FileRecord` always comes back, nothing is raised.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
TARGETS = ("docx", "pptx", "pdf", "mp4", "zip")
#: Corpus files used as seeds, per target, by extension.
CORPUS_SUFFIXES = {"docx": (".docx",), "pptx": (".pptx",), "pdf": (".pdf",),
                   "mp4": (".mp4", ".mov", ".m4a", ".3gp", ".webm", ".mkv"), "zip": (".zip",)}
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
    if use_corpus and CORPUS.is_dir():
        for target, suffixes in CORPUS_SUFFIXES.items():
            for path in sorted(CORPUS.rglob("*")):
                if path.is_file() and path.suffix.lower() in suffixes and path.stat().st_size <= 4 * 1024**2:
                    seeds[target].append(Seed(target, path.name, path.read_bytes()))
    return seeds


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
    if seed.target in ("docx", "pptx", "zip") and rng.random() < 0.6:
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
