"""The KSB mapper: suggestions and claim verdicts on real Word, PowerPoint and PDF files, the
catalogue vocabulary it reads, and results that cross process boundaries."""

from __future__ import annotations

import copy
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import docx, jpeg, pdf, pptx

from portfolio_check.catalogue.loader import discover, load_catalogue_file, load_examples, parse_standard
from portfolio_check.catalogue.model import Standard
from portfolio_check.errors import CatalogueError
from portfolio_check.extract.model import FileRecord
from portfolio_check.extract.runner import extract_file
from portfolio_check.ingest.inventory import ingest
from portfolio_check.mapper import (
    CONFIDENT,
    NOT_JUDGED,
    SUPPORTED,
    WEAK,
    ClaimJudgement,
    Reading,
    Suggestion,
    index_for,
    join_texts,
    judge_claim,
    judge_claims,
    quantity_over_quality,
    read,
    suggest,
)
from portfolio_check.mapper.index import build_index
from portfolio_check.mapper.score import evidence

REPO = Path(__file__).resolve().parent.parent
PRODUCTION = "production-coordinator"
POST = "post-production-coordinator"

PETTY_CASH = [
    "Petty cash reconciliation, week 12, Harbour Lights series 3",
    "I reconciled the three floats held by the runners against their receipts on Friday. Every receipt "
    "was coded to the budget line it belongs to (catering 2100, travel 3100, props 4200) before I "
    "entered it in the cost report.",
    "Two receipts were missing, so I asked for signed missing-receipt declarations, as the finance "
    "policy requires, before topping the floats up. The variance against the float was £3.20, which "
    "the production accountant agreed to write off.",
]
PETTY_CASH_TABLE = [["Date", "Item", "Nominal code", "Amount"],
                    ["10/03", "Parking, unit base", "3100 Travel", "£6.50"],
                    ["11/03", "Milk and tea, production office", "2100 Catering", "£8.95"]]

CARBON_SLIDES = ["Reducing our carbon footprint", "What the albert calculator showed",
                 "What I changed on the shoot"]
CARBON_NOTES = [
    "I completed the albert carbon footprint for the series and wrote the carbon action plan the "
    "broadcaster asks for.",
    "Travel and generator fuel were most of our emissions, so I set up car sharing for the crew and "
    "booked mains power at the studio instead of a diesel generator.",
    "We also stopped single-use plastic bottles on set and recycled the set dressing through a reuse scheme.",
]

RISK_ASSESSMENT = [[
    "Risk assessment: night shoot on the quay, prepared by the junior production coordinator",
    "Hazard: slips and trips on wet cobbles and mooring lines. Control measures: hi-vis for all crew,",
    "lit walkways and a marshal at the quay edge. Likelihood medium, severity high.",
    "Hazard: falling into the water. Control measures: life jackets near the edge, throw line, unit",
    "medic on site, nearest A&E noted on the call sheet.",
    "A near miss with a cable across the walkway was reported to the production manager and the",
    "cable was ramped. Everyone attended the safety briefing before the first set-up.",
]]


@pytest.fixture(scope="module")
def st0792() -> Standard:
    return discover().get("ST0792")


@pytest.fixture(scope="module")
def st1457() -> Standard:
    return discover().get("ST1457")


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, FileRecord]:
    """A small portfolio written with the real libraries, ingested and extracted as `check` does."""
    folder = tmp_path_factory.mktemp("mapper-portfolio")
    docx(folder / "Petty cash week 12.docx", PETTY_CASH, table=PETTY_CASH_TABLE)
    pptx(folder / "Sustainability.pptx", CARBON_SLIDES, notes=CARBON_NOTES)
    pdf(folder / "Risk assessment quay.pdf", RISK_ASSESSMENT)
    jpeg(folder / "Unit base photo.jpg")
    found = {item.path.rsplit("/", 1)[-1]: extract_file(item) for item in ingest(folder).files}
    assert {name: record.error for name, record in found.items()} == dict.fromkeys(found)
    return found


def _top(suggestions: tuple[Suggestion, ...], n: int = 3) -> list[str]:
    return [s.code for s in suggestions[:n]]


def test_word_document_ranks_its_ksb_first_with_the_passage_that_shows_it(
        records: dict[str, FileRecord], st0792: Standard) -> None:
    text = records["Petty cash week 12.docx"].text
    assert text is not None and "Nominal code" in text  # the table was read too
    suggestions = suggest(st0792, text, PRODUCTION)
    assert suggestions[0].code == "K8"  # how to reconcile and code production expenditure
    assert suggestions[0].confident
    assert "reconcil" in suggestions[0].excerpt.lower() or "coded" in suggestions[0].excerpt.lower()
    assert "K6" in _top(suggestions, 5)  # financial procedures and policies


def test_powerpoint_slides_and_notes_are_read(records: dict[str, FileRecord], st0792: Standard) -> None:
    text = records["Sustainability.pptx"].text
    assert text is not None and "car sharing" in text  # the speaker notes were read
    suggestions = suggest(st0792, text, PRODUCTION)
    assert suggestions[0].code == "K16" and suggestions[0].confident  # environmental sustainability, albert
    assert "S16" in _top(suggestions, 3)  # follows sustainable practices
    assert "albert" in suggestions[0].excerpt


def test_pdf_text_layer_is_read(records: dict[str, FileRecord], st0792: Standard) -> None:
    suggestions = suggest(st0792, records["Risk assessment quay.pdf"].text, PRODUCTION)
    assert suggestions[0].code == "K11"  # identify and report health and safety risks
    assert suggestions[0].confident
    assert "hazard" in suggestions[0].excerpt.lower() or "near miss" in suggestions[0].excerpt.lower()


def test_a_true_claim_is_supported_and_a_wrong_one_is_weak(records: dict[str, FileRecord], st0792: Standard) -> None:
    text = records["Petty cash week 12.docx"].text
    true, wrong = judge_claims(st0792, text, ["k8", "K17"], PRODUCTION)
    assert (true.code, true.verdict, true.supported) == ("K8", SUPPORTED, True)
    assert true.score is not None and true.score >= CONFIDENT and true.excerpt
    assert (wrong.code, wrong.verdict, wrong.supported) == ("K17", WEAK, False)  # safeguarding: not here
    assert wrong.score is not None and wrong.score < true.score
    # The message for a weak claim can quote what the piece does say, and what it reads like.
    assert wrong.says and "reconcil" in wrong.says.lower()
    assert wrong.reads_like == "K8"
    assert judge_claim(st0792, text, "K17", PRODUCTION) == wrong


def test_a_photo_is_not_judged(records: dict[str, FileRecord], st0792: Standard) -> None:
    photo = records["Unit base photo.jpg"]
    assert photo.kind == "image" and not photo.text
    reading = read(st0792, photo.text, PRODUCTION)
    assert not reading.judged and reading.suggestions() == ()
    judgement = reading.judge("S6")
    assert judgement.verdict == NOT_JUDGED and not judgement.judged and not judgement.supported
    assert judgement.score is None and judgement.excerpt is None and "no text" in judgement.reason


def test_text_that_evidences_nothing_gets_no_confident_suggestion(st0792: Standard) -> None:
    menu = ("Canteen menu, week commencing 9 March. Monday: leek and potato soup, fish pie, apple crumble. "
            "Tuesday: chilli with rice, vegetable lasagne. Please tell the counter staff about allergies. "
            "Hot drinks are free before 9am.")
    reading = read(st0792, menu)
    assert reading.judged
    assert not [s for s in reading.suggestions(top=None) if s.confident]
    assert read(st0792, "Photos").judged is False  # a title alone is too little to judge


def test_scores_are_ranked_and_calibrated_to_the_unit_interval(records: dict[str, FileRecord], st0792: Standard) -> None:
    reading = read(st0792, records["Sustainability.pptx"].text)
    scores = [s.score for s in reading.scores]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert {s.code for s in reading.scores} == {k.code for k in st0792.ksbs}
    assert all(s.confident == (s.score >= CONFIDENT) for s in reading.scores)
    assert len(reading.suggestions(top=2)) == 2


def test_option_limits_suggestions_but_claims_of_other_codes_are_still_judged(st0792: Standard) -> None:
    text = ("Delivery specification summary: masters delivered as ProRes 422 HQ in an MXF wrapper, UHD "
            "3840x2160 at 25fps, Rec 709, with stereo and 5.1 WAV stems. I checked every file format and "
            "resolution against the broadcaster's technical specification before upload.")
    post = read(st0792, text, POST)
    production = read(st0792, text, PRODUCTION)
    assert "K28" in _top(post.suggestions(), 3)  # file formats and resolutions: post option only
    assert all(s.code not in {"K28", "K29", "S23"} for s in production.suggestions(top=None))
    assert production.judge("K28").verdict == SUPPORTED  # scores do not depend on the option


def test_duty_mapped_standard_suggests_duties(st1457: Standard) -> None:
    text = ("Props list and setting list, week 2 of rehearsals. I sourced the rehearsal props, kept the "
            "props table preset for each scene, logged two breakables that need replacing every show and "
            "returned the borrowed furniture to the props store.")
    suggestions = suggest(st1457, text)
    assert suggestions and suggestions[0].code == "D5"  # manage the use and maintenance of props
    assert all(s.code.startswith("D") for s in suggestions)


def test_results_pickle(records: dict[str, FileRecord], st0792: Standard) -> None:
    reading = read(st0792, records["Petty cash week 12.docx"].text, PRODUCTION)
    judgement = reading.judge("K8")
    for value in (reading, judgement, reading.scores[0]):
        assert pickle.loads(pickle.dumps(value)) == value
    assert isinstance(judgement, ClaimJudgement) and isinstance(reading, Reading)


def test_index_is_built_once_per_standard(st0792: Standard) -> None:
    assert index_for(st0792) is index_for(st0792)
    # (without its examples file, which has passages for the KSB taken away)
    changed = Standard(**{**st0792.__dict__, "ksbs": st0792.ksbs[:-1], "examples_file": None})
    assert index_for(changed) is not index_for(st0792)
    assert len(index_for(changed).profiles) == len(st0792.ksbs) - 1


def test_many_weak_claims_read_as_quantity_over_quality(records: dict[str, FileRecord], st0792: Standard) -> None:
    text = records["Petty cash week 12.docx"].text
    generous = judge_claims(st0792, text, ["K8", "K6", "K17", "K19", "S18", "S19", "K28"], PRODUCTION)
    assert [j.code for j in generous if not j.supported] == ["K17", "K19", "S18", "S19", "K28"]
    assert quantity_over_quality(generous)
    assert not quantity_over_quality(generous[:3])  # three claims are not many, whatever their support
    photo = read(st0792, None).judge
    assert not quantity_over_quality([photo(c) for c in ("K1", "K2", "K3", "K4", "K5", "K6")])  # none judged


def test_json_forms(records: dict[str, FileRecord], st0792: Standard) -> None:
    reading = read(st0792, records["Petty cash week 12.docx"].text, PRODUCTION)
    best = reading.suggestions(top=1)[0].to_dict()
    assert set(best) == {"code", "score", "excerpt"} and best["code"] == "K8" and 0.5 <= best["score"] <= 1
    judgement = reading.judge("K17").to_dict()
    assert judgement["verdict"] == "weak" and judgement["code"] == "K17" and judgement["reads_like"] == "K8"


def test_join_texts_skips_files_without_text() -> None:
    assert join_texts([None, "first", "  ", "second"]) == "first\n\nsecond"
    assert join_texts([None, ""]) is None


def test_importing_the_mapper_loads_no_third_party_library() -> None:
    code = ("import sys, portfolio_check.mapper\n"
            "heavy = {'yaml', 'numpy', 'jinja2', 'lxml', 'pypdf', 'av', 'PIL', 'openpyxl', 'click'}\n"
            "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"


# --- the catalogue vocabulary -------------------------------------------------------------------

BASE: dict[str, Any] = {
    "reference": "ST0100", "version": "1.0", "title": "Test occupation", "status": "approved",
    "ksbs": [{"code": "K1", "text": "Knows the basics.",
              "evidence_terms": ["call sheet", "schedule"], "typical_evidence": ["call sheet"]}],
    "duties": [{"code": "D1", "text": "Does the basics.", "evidence_terms": ["rehearsal"]}],
}


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


def test_vocabulary_fields_load_as_tuples() -> None:
    standard = parse_standard(BASE, "ST0100.yaml")
    assert standard.ksbs[0].evidence_terms == ("call sheet", "schedule")
    assert standard.ksbs[0].typical_evidence == ("call sheet",)
    assert standard.duties[0].evidence_terms == ("rehearsal",) and standard.duties[0].typical_evidence == ()


@pytest.mark.parametrize(("path", "value", "entry", "problem"), [
    (("ksbs", 0, "evidence_terms"), "call sheet", "ksbs[0] (K1).evidence_terms", "expected a list"),
    (("ksbs", 0, "evidence_terms"), ["call sheet", 12], "ksbs[0] (K1).evidence_terms[1]", "expected a word"),
    (("ksbs", 0, "evidence_terms"), ["call sheet", "Call  Sheet"], "ksbs[0] (K1).evidence_terms[1]",
     "appears more than once"),
    (("ksbs", 0, "evidence_terms"), ["S3"], "ksbs[0] (K1).evidence_terms[0]", "is a code"),
    (("ksbs", 0, "typical_evidence"), ["2025"], "ksbs[0] (K1).typical_evidence[0]", "has no letters"),
    (("ksbs", 0, "typical_evidence"), ["a long sentence pasted here by mistake, not a phrase"],
     "ksbs[0] (K1).typical_evidence[0]", "longer than 6 words"),
    (("duties", 0, "evidence_terms"), [None], "duties[0] (D1).evidence_terms[0]", "expected a word"),
    (("duties", 0, "evidence_term"), ["typo"], "duties[0]", "unknown field 'evidence_term'"),
])
def test_bad_vocabulary_is_named_on_load(path: tuple[Any, ...], value: Any, entry: str, problem: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_standard(_with(path, value), "my/ST0100.yaml")
    assert caught.value.entry == entry
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"my/ST0100.yaml: {entry}: ")


def _catalogue_with_examples(folder: Path, ksbs: list[dict[str, Any]], examples: Any) -> Path:
    """A catalogue file in ``folder`` and, unless ``examples`` is None, its examples file."""
    document = {**copy.deepcopy(BASE), "ksbs": ksbs}
    path = folder / "ST0100-v1.0.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    if examples is not None:
        (folder / "examples").mkdir(exist_ok=True)
        (folder / "examples" / path.name).write_text(yaml.safe_dump(examples, sort_keys=False), encoding="utf-8")
    return path


THREE_KSBS = [{"code": "K1", "text": "Knows the basics.", "evidence_terms": ["call sheet"]},
              {"code": "K2", "text": "Plans the work.", "evidence_terms": ["schedule"]},
              {"code": "K3", "text": "Looks after people."}]


def test_an_examples_file_lends_its_words_to_its_ksb(tmp_path: Path) -> None:
    """A passage of evidence kept for a KSB teaches the mapper the words evidence uses for it: here words
    that neither its statement nor any vocabulary has. The catalogue only finds the file; the passages
    are read when the index is built."""
    example = "Maisie is nine, so her mum stays with her on set and she finishes by seven every day."
    taught = load_catalogue_file(_catalogue_with_examples(tmp_path / "taught", THREE_KSBS, {"K3": [example]}))
    untaught = load_catalogue_file(_catalogue_with_examples(tmp_path / "untaught", THREE_KSBS, None))
    assert taught.examples_file == str(tmp_path / "taught" / "examples" / "ST0100-v1.0.yaml")
    assert untaught.examples_file is None
    assert load_examples(taught) == {"K3": (example,)} and load_examples(untaught) == {}
    text = ("Day 4 at the studio. Our nine-year-old's mum was with her all day on set, and she finished before "
            "seven as agreed.")

    def window_of(standard: Standard) -> dict[str, float]:
        return {item.code: item.features.window for item in evidence(build_index(standard), text)[1]}

    with_examples, without = window_of(taught), window_of(untaught)
    assert without["K3"] == 0.0 and with_examples["K3"] > 0.0
    assert max(with_examples, key=with_examples.__getitem__) == "K3"


def test_an_edited_examples_file_builds_the_index_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue is unchanged, so only the examples file's own content can tell the cached index is stale."""
    from portfolio_check.mapper import cache, index

    monkeypatch.setattr(cache, "CACHE_DIRECTORY", str(tmp_path / "mapper"))
    monkeypatch.setattr(index, "_CACHE", {})
    first = "Maisie is nine, so her mum stays with her on set and she finishes by seven every day."
    path = _catalogue_with_examples(tmp_path / "catalogues", THREE_KSBS, {"K3": [first]})
    before = index.index_for(load_catalogue_file(path))
    assert ("mum",) in before.postings and ("grandad",) not in before.postings
    (path.parent / "examples" / path.name).write_text(yaml.safe_dump(
        {"K3": ["Sam is eleven, so his grandad stays with him on set and he finishes by six every day."]}))
    monkeypatch.setattr(index, "_CACHE", {})  # a new process: only the cache folder remembers
    after = index.index_for(load_catalogue_file(path))
    assert ("grandad",) in after.postings and ("mum",) not in after.postings
    assert len(list((tmp_path / "mapper").glob("ST0100-*.pickle"))) == 2


GOOD = "I sent the revised call sheet to the whole crew at six and checked everyone had it."


@pytest.mark.parametrize(("examples", "entry", "problem"), [
    (["a list, not a mapping of codes"], "", "expected a mapping of codes to lists of passages"),
    ({"K9": [GOOD]}, "K9", "ST0100 v1.0 has no code 'K9'"),
    ({"K1": GOOD}, "K1", "expected a list of passages"),
    ({"K1": [["a", "list"]]}, "K1[0]", "expected a passage"),
    ({"K1": ["Sent the call sheet."]}, "K1[0]", "has 4 words; give a passage of 8 to 150"),
    ({"K1": [" ".join(["word"] * 151)]}, "K1[0]", "has 151 words"),
    ({"K1": ["This call sheet shows S3 because it went out to the crew at six."]}, "K1[0]", "names the code S3"),
    ({"K1": [GOOD, GOOD.replace(" ", "  ")]}, "K1[1]", "appears more than once"),
])
def test_a_bad_examples_file_is_named_with_its_entry(tmp_path: Path, examples: Any, entry: str, problem: str) -> None:
    standard = load_catalogue_file(_catalogue_with_examples(tmp_path, THREE_KSBS, examples))
    with pytest.raises(CatalogueError) as caught:
        load_examples(standard)
    assert caught.value.entry == entry and problem in caught.value.problem
    assert str(caught.value).startswith(str(tmp_path / "examples" / "ST0100-v1.0.yaml"))


def test_catalogues_validate_reads_the_examples_file_too(tmp_path: Path, cli: Any) -> None:
    good = _catalogue_with_examples(tmp_path / "good", THREE_KSBS, {"K1": [GOOD], "K3": [GOOD.replace("six", "seven")]})
    result = cli("catalogues", "validate", str(good))
    assert result.exit_code == 0, result.output
    assert "  examples: 2 passages of evidence for 2 of 3 KSBs (examples/ST0100-v1.0.yaml)" in result.output
    bad = _catalogue_with_examples(tmp_path / "bad", THREE_KSBS, {"K1": ["Too short to be evidence."]})
    result = cli("catalogues", "validate", str(bad))
    assert result.exit_code == 1
    assert f"invalid: {bad.parent / 'examples' / bad.name}: K1[0]: 'Too short to be evidence.…' has 5 words" in result.output


def test_check_stops_with_the_entry_of_a_broken_examples_file_not_a_traceback(tmp_path: Path, cli: Any) -> None:
    """A catalogue author's broken examples file makes its standard unusable, as a broken catalogue does:
    check says which file and entry, and exits 2; the portfolio is not judged against half a catalogue."""
    folder = tmp_path / "catalogues"
    (folder / "examples").mkdir(parents=True)
    shutil.copy(REPO / "ksb_catalogues" / "ST0792-v1.2.yaml", folder / "ST0792-v1.2.yaml")
    (folder / "examples" / "ST0792-v1.2.yaml").write_text("K1:\n- Too short.\n", encoding="utf-8")
    portfolio = REPO / "sample_portfolios" / "ST0792-production-coordinator-ready"
    result = cli("--catalogues", str(folder), "check", str(portfolio), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert (f"{folder / 'examples' / 'ST0792-v1.2.yaml'}: K1[0]: 'Too short.…' has 2 words" in result.stderr
            and "Traceback" not in result.output + result.stderr)


def test_builtin_examples_are_written_for_the_mapper_not_taken_from_the_labelled_set(st0792: Standard) -> None:
    """ST0792's passages were written without the evidence set: none shares a sentence (a run of twelve
    words) with a labelled piece, so the set still measures the mapper on words it has not been given.
    Shorter runs are shared by chance ("let me know if you need anything else")."""
    examples = load_examples(st0792)
    assert set(examples) == {k.code for k in st0792.ksbs} and all(len(found) == 12 for found in examples.values())

    def runs(text: str) -> set[tuple[str, ...]]:
        tokens = [t.casefold() for t in re.findall(r"[A-Za-z0-9']+", text)]
        return {tuple(tokens[i:i + 12]) for i in range(len(tokens) - 11)}

    labelled: set[tuple[str, ...]] = set()
    for piece in sorted((REPO / "bench" / "evidence_set" / "pieces").glob("*.txt")):
        labelled |= runs(piece.read_text(encoding="utf-8"))
    shared = [(code, example[:60]) for code, found in examples.items() for example in found
              if runs(example) & labelled]
    assert not shared, shared


def test_builtin_catalogues_carry_vocabulary_for_every_code(st0792: Standard, st1457: Standard) -> None:
    assert all(k.evidence_terms for k in st0792.ksbs)
    assert all(d.evidence_terms and d.typical_evidence for d in st1457.duties)


def test_vocabulary_the_mapper_cannot_read_as_meant_is_noted() -> None:
    from portfolio_check.mapper.vocabulary import vocabulary_notes

    document = _with(("ksbs", 0, "evidence_terms"),
                     ["on my own", "in line with", "stills", "call sheet", "issue", "get-in"])
    notes = {(n.code, n.field, n.phrase): n.advice for n in vocabulary_notes(parse_standard(document, "ST0100.yaml"))}
    assert notes.keys() == {("K1", "evidence_terms", "on my own"), ("K1", "evidence_terms", "in line with"),
                            ("K1", "evidence_terms", "stills")}
    assert notes[("K1", "evidence_terms", "on my own")].startswith("can never match")
    assert "as the everyday word 'line' alone" in notes[("K1", "evidence_terms", "in line with")]
    assert "the same as the everyday word 'still'" in notes[("K1", "evidence_terms", "stills")]


def test_validate_prints_vocabulary_notes_and_still_passes(cli: Any, tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "ST0100.yaml"
    path.write_text(yaml.safe_dump(_with(("duties", 0, "evidence_terms"), ["what I do", "rehearsal"])), encoding="utf-8")
    result = cli("catalogues", "validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == (
        "  note: D1 evidence_terms 'what I do' can never match: the mapper skips every word of it (words such "
        "as 'my', 'own', 'what' say nothing about the work); give words the evidence itself would contain")
    assert len(result.output.splitlines()) == 2


def test_a_hyphenated_phrase_with_a_function_word_is_one_word(st1457: Standard) -> None:
    from portfolio_check.mapper.text import content_stems

    assert content_stems("the get-in and the sign-off") == ["getin", "signoff"]
    assert content_stems("post-production, co-ordinated") == ["post", "product", "coordin"]
    # ST1457's vocabulary says "get-in": a theatre's get-in now reads as the work of that duty, not as "get".
    text = ("Get-in on Monday from 8am: the set arrived on two trucks, I kept the get-in schedule, "
            "checked each flat off the list and signed the crew in.")
    best = read(st1457, text).scores[0]
    assert best.code == "D7" and best.score > 0 and "get-in" in best.excerpt.casefold()
