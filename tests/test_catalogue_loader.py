"""Catalogue validation: a malformed catalogue is reported with its file and the offending entry."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from portfolio_check.catalogue.loader import CATALOGUES_ENV, discover, load_catalogue_file, parse_standard
from portfolio_check.catalogue.model import version_sort_key
from portfolio_check.errors import CatalogueError, UnknownChoiceError

MINIMAL: dict[str, Any] = {
    "reference": "ST0100",
    "version": "1.0",
    "title": "Test occupation",
    "level": 3,
    "status": "approved",
    "options": [{"id": "alpha", "title": "Alpha"}],
    "methods": [{"id": "discussion", "title": "Discussion", "underpinned_by_portfolio": True}],
    "themes": [{"id": "basics", "title": "Basics", "method": "discussion",
                "pass": [{"ksbs": ["K1", "S1"], "text": "Explains the basics."}]}],
    "ksbs": [
        {"code": "K1", "text": "Knows the basics.", "methods": ["discussion"], "theme": "basics"},
        {"code": "S1", "text": "Does the basics.", "options": ["alpha"], "methods": ["discussion"]},
    ],
    "portfolio": {"min_pieces": 2, "max_pieces": 4, "max_video_seconds": 120,
                  "attribution_statement_required": True, "evidence_method": "discussion"},
}


def mutated(path: str, value: Any) -> dict[str, Any]:
    """MINIMAL with the value at a dotted path (list indexes as numbers) replaced; ``...`` deletes it."""
    document = copy.deepcopy(MINIMAL)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target: Any = document
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return document


def test_minimal_catalogue_loads() -> None:
    standard = parse_standard(MINIMAL, "test.yaml")
    assert standard.key == "ST0100 v1.0"
    assert [k.kind for k in standard.ksbs] == ["knowledge", "skill"]
    assert standard.ksb("s1").options == ("alpha",)  # codes are matched case-insensitively
    assert [k.code for k in standard.ksbs_for("alpha", "discussion")] == ["K1", "S1"]
    assert [k.code for k in standard.ksbs_for(None, "discussion")] == ["K1", "S1"]


@pytest.mark.parametrize(("path", "value", "entry", "problem"), [
    ("title", ..., "title", "missing"),
    ("reference", "0792", "reference", "expected a standard reference such as ST0792"),
    ("status", "live", "status", "expected one of approved"),
    ("level", "three", "level", "expected a whole number"),
    ("ksbs.1.code", "X1", "ksbs[1].code", "'X1' is not a KSB code"),
    ("ksbs.1.code", "K1", "ksbs[1] (K1)", "KSB code 'K1' appears more than once"),
    ("ksbs.1.text", ..., "ksbs[1] (S1).text", "missing"),
    ("ksbs.1.options", ["beta"], "ksbs[1] (S1).options", "unknown option 'beta' (known: alpha, core)"),
    ("ksbs.1.options", ["core", "alpha"], "ksbs[1] (S1).options", "either core or belongs to options"),
    ("ksbs.0.methods", ["pd"], "ksbs[0] (K1).methods", "unknown method 'pd'"),
    ("ksbs.0.theme", "advanced", "ksbs[0] (K1).theme", "unknown theme 'advanced'"),
    ("ksbs.0.kind", "skill", "ksbs[0] (K1).kind", "K1 is a knowledge statement"),
    ("ksbs.0.colour", "red", "ksbs[0]", "unknown field 'colour'"),
    ("themes.0.pass.0.ksbs", ["K1", "K9"], "themes[0] (basics)", "names K9, which is not among the ksbs"),
    ("options.0.id", "Alpha One", "options[0].id", "not a valid id"),
    ("portfolio.min_pieces", 5, "portfolio.min_pieces", "5 is more than max_pieces (4)"),
    ("portfolio.max_video_seconds", "ten minutes", "portfolio.max_video_seconds", "expected a number of seconds"),
    ("portfolio.evidence_method", "exam", "portfolio.evidence_method", "unknown method 'exam'"),
    ("portfolio.evidence_codes", "duties", "portfolio.evidence_codes", "the standard lists none"),
    ("portfolio.min_peices", 2, "portfolio", "unknown field 'min_peices'"),
    ("portfolio.assumptions", {"colour": "why"}, "portfolio.assumptions", "'colour' is not a portfolio rule"),
    ("ksbs", {"K1": "text"}, "ksbs", "expected a list"),
])
def test_malformed_catalogue_names_file_and_entry(path: str, value: Any, entry: str, problem: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_standard(mutated(path, value), "my/ST0100.yaml")
    error = caught.value
    assert error.source == "my/ST0100.yaml"
    assert error.entry == entry
    assert problem in error.problem
    assert str(error).startswith(f"my/ST0100.yaml: {entry}: ")


def test_not_a_mapping_at_all() -> None:
    with pytest.raises(CatalogueError, match="expected a mapping of fields, found a list"):
        parse_standard(["ST0100"], "x.yaml")


def test_broken_yaml_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ST0100.yaml"
    path.write_text("reference: ST0100\nksbs:\n  - code: K1\n   text: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue_file(path)
    assert caught.value.source == str(path)
    assert caught.value.entry.startswith("line ")
    assert "not valid YAML" in caught.value.problem


def test_json_catalogue_loads(tmp_path: Path) -> None:
    import json

    path = tmp_path / "ST0100.json"
    path.write_text(json.dumps(MINIMAL), encoding="utf-8")
    assert load_catalogue_file(path).reference == "ST0100"
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid JSON"):
        load_catalogue_file(path)


def test_discover_adds_user_folders_and_keeps_going_past_bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from_flag = tmp_path / "flag"
    from_env = tmp_path / "env"
    from_flag.mkdir()
    from_env.mkdir()
    (from_flag / "ST0100.yaml").write_text(yaml.safe_dump(MINIMAL), encoding="utf-8")
    (from_flag / "broken.yaml").write_text(yaml.safe_dump(mutated("title", ...)), encoding="utf-8")
    (from_flag / "notes.txt").write_text("not a catalogue", encoding="utf-8")
    newer = mutated("version", "1.10")
    (from_env / "ST0100-v1.10.yaml").write_text(yaml.safe_dump(newer), encoding="utf-8")
    monkeypatch.setenv(CATALOGUES_ENV, str(from_env))

    found = discover([from_flag, tmp_path / "missing"])

    assert found.references() == ["ST0100", "ST0792", "ST1457"]
    assert [s.version for s in found.versions("st0100")] == ["1.0", "1.10"]
    assert found.get("ST0100").version == "1.10"  # the latest by default
    assert found.get("ST0100", "v1.0").version == "1.0"
    problems = sorted(str(e) for e in found.errors)
    assert any("broken.yaml: title: missing" in p for p in problems)
    assert any("missing: catalogue folder not found" in p for p in problems)


def test_user_catalogue_replaces_builtin_with_same_version(tmp_path: Path) -> None:
    document = mutated("reference", "ST0792")
    document["version"] = "1.2"
    document["title"] = "Local copy"
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    assert discover([tmp_path]).get("ST0792").title == "Local copy"


def test_unknown_standard_and_version_list_what_exists() -> None:
    found = discover()
    with pytest.raises(UnknownChoiceError, match=r"unknown standard 'ST9999'. Known: ST0792, ST1457."):
        found.get("ST9999")
    with pytest.raises(UnknownChoiceError, match=r"unknown version '3.0' for ST0792. Known: 1.2."):
        found.get("ST0792", "3.0")


@pytest.mark.parametrize("written", ["ST0792", "st0792", "st 792", "ST-0792", "ST0792 v1.2", "ST0792 version 1.2",
                                     "ST792v1.2", "ST0792 - Junior production coordinator", "ST0792 Level 4",
                                     "Junior Production Coordinator", "junior production coordinator (level 4)"])
def test_a_standard_is_found_as_people_write_it(written: str) -> None:
    """As the tool prints it ("ST0792 v1.2"), without the leading zero, or by its title."""
    assert discover().get(written).key == "ST0792 v1.2"


@pytest.mark.parametrize(("written", "version", "problem"), [
    ("Production coordinator", None, "unknown standard 'Production coordinator'. Known: ST0792, ST1457."),
    ("ST07921", None, "unknown standard 'ST07921'"),
    ("ST0792 v1.1", None, "unknown version '1.1' for ST0792. Known: 1.2."),
    ("ST0792 v1.2", "1.1", "unknown version '1.1' for ST0792"),  # a version given on its own wins
])
def test_what_names_no_known_standard_is_still_refused(written: str, version: str | None, problem: str) -> None:
    with pytest.raises(UnknownChoiceError) as raised:
        discover().get(written, version)
    assert problem in str(raised.value)


def test_versions_sort_numerically() -> None:
    assert sorted(["1.10", "1.2", "1.0", "2.0"], key=version_sort_key) == ["1.0", "1.2", "1.10", "2.0"]
