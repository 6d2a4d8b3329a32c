"""Converting the Institute for Apprenticeships' standards data into catalogues."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA

from portfolio_check.catalogue import ifate
from portfolio_check.catalogue.loader import discover, load_catalogue_file, parse_standard, read_document
from portfolio_check.errors import CatalogueError

STANDARDS = DATA / "ifate" / "standards.json"
RULES = DATA / "ifate" / "rules-st0792.yaml"


def convert_st0792(**kwargs):
    data = json.loads(STANDARDS.read_text(encoding="utf-8"))
    return ifate.convert(data, str(STANDARDS), "ST0792", **kwargs)


def test_rules_need_a_single_version() -> None:
    with pytest.raises(CatalogueError, match=r"2 were selected \(ST0792 v1.2, ST0792 v1.1\)"):
        convert_st0792(rules=read_document(RULES), rules_source="rules.yaml")


def test_labels_are_positions_and_text_matches_the_transcribed_catalogue() -> None:
    latest = next(item for item in convert_st0792() if item.version == "1.2")
    standard = parse_standard(latest.document, "imported")
    transcribed = discover().get("ST0792", "1.2")
    assert [k.code for k in standard.ksbs] == ["K1", "K2", "K3", "K4", "K5", "S1", "S2", "S3", "B1", "B2"]
    for ksb in standard.ksbs:
        assert ksb.text == transcribed.ksb(ksb.code).text, ksb.code


def test_options_come_from_the_duties_that_map_each_ksb() -> None:
    latest = next(item for item in convert_st0792() if item.version == "1.2")
    standard = parse_standard(latest.document, "imported")
    assert [(o.id, o.title) for o in standard.options] == [
        ("production-coordinator", "Production coordinator"),
        ("post-production-coordinator", "Post production coordinator"),
    ]
    options = {k.code: k.options for k in standard.ksbs}
    assert options["K1"] == options["B2"] == ("core",)          # mapped by a core duty
    assert options["K4"] == ("post-production-coordinator",)    # only by a post production duty
    assert options["S3"] == ("production-coordinator", "post-production-coordinator")
    assert options["K5"] == ("core",)                           # no duty maps it
    assert [(d.code, d.options, d.ksbs) for d in standard.duties] == [
        ("D1", ("core",), ("K1", "K2", "K3", "S1", "S2", "B1", "B2")),
        ("D2", ("production-coordinator",), ("S3",)),
        ("D3", ("post-production-coordinator",), ("K4", "S3")),
    ]
    assert any("k-9999" in w for w in latest.warnings)
    assert any("no duty maps K5" in w for w in latest.warnings)


def test_without_rules_methods_and_portfolio_rules_stay_unknown() -> None:
    latest = next(item for item in convert_st0792() if item.version == "1.2")
    standard = parse_standard(latest.document, "imported")
    assert standard.methods == ()
    assert standard.portfolio.unknown_rules() == [
        "min_pieces", "max_pieces", "max_video_seconds", "attribution_statement_required", "evidence_method"]
    assert "no assessment methods and no portfolio rules" in (standard.notes or "")
    assert standard.status == "approved" and standard.level == 4
    assert standard.source == "https://example.org/assessment-plans/st0792-v1-2.pdf"


def test_rules_file_adds_methods_and_rules() -> None:
    rules = read_document(RULES)
    [latest] = convert_st0792(version="1.2", rules=rules, rules_source="rules.yaml")
    standard = parse_standard(latest.document, "imported")
    assert [m.id for m in standard.methods if m.underpinned_by_portfolio] == ["professional-discussion"]
    assert [k.code for k in standard.ksbs_for(None, "professional-discussion")] == ["K1", "K5", "S1", "B1", "B2"]
    assert (standard.portfolio.min_pieces, standard.portfolio.max_video_seconds) == (18, 600)
    assert standard.portfolio.unknown_rules() == []


def test_numeric_versions_and_reference_filter() -> None:
    data = json.loads(STANDARDS.read_text(encoding="utf-8"))
    versions = {(item.reference, item.version) for item in ifate.convert(data, "f.json")}
    assert versions == {("ST0792", "1.2"), ("ST0792", "1.1"), ("ST0100", "1.0")}
    retired = next(item for item in ifate.convert(data, "f.json", "st0792") if item.version == "1.1")
    assert retired.document["status"] == "retired" and retired.document["level"] == 4
    with pytest.raises(CatalogueError,
                       match=r"no standard ST0555 in the file \(it holds: ST0100 v1\.0, ST0792 v1\.1, ST0792 v1\.2\)"):
        ifate.convert(data, "f.json", "ST0555")
    with pytest.raises(CatalogueError, match=r"no standard ST0792 v2\.0 in the file"):
        ifate.convert(data, "f.json", "ST0792", "2.0")


@pytest.mark.parametrize(("field", "entry"), [
    ("title", "(ST0100)"),
    ("version", "(ST0100)"),
    ("level", "(ST0100)"),
])
def test_missing_field_is_named(field: str, entry: str) -> None:
    standard = {"referenceNumber": "ST0100", "version": "1.0", "title": "T", "level": 2,
                "knowledges": [{"knowledgeId": 1, "detail": "K"}]}
    del standard[field]
    with pytest.raises(CatalogueError) as caught:
        ifate.convert(standard, "one.json")
    assert caught.value.entry == entry
    assert f"missing field '{field}'" in caught.value.problem


def test_ksb_without_detail_and_standard_without_ksbs_are_rejected() -> None:
    with pytest.raises(CatalogueError, match="missing field 'detail'"):
        ifate.convert({"referenceNumber": "ST0100", "version": "1", "title": "T", "level": 2,
                       "skills": [{"skillId": 1}]}, "one.json")
    with pytest.raises(CatalogueError, match="missing field 'knowledges'"):
        ifate.convert({"referenceNumber": "ST0100", "version": "1", "title": "T", "level": 2}, "one.json")
    with pytest.raises(CatalogueError, match="expected a standard object"):
        ifate.convert("not a standard", "one.json")


def test_import_command_writes_loadable_catalogues(cli, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    result = cli("catalogues", "import", str(STANDARDS), "--reference", "ST0792", "--version", "1.2",
                 "--rules", str(RULES), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert cli("catalogues", "import", str(STANDARDS), "--reference", "ST0792", "--version", "1.1",
               "-o", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["ST0792-v1.1.yaml", "ST0792-v1.2.yaml"]
    assert "wrote" in result.output and "note: duty D3 maps 'k-9999'" in result.output
    imported = load_catalogue_file(out / "ST0792-v1.2.yaml")
    assert imported.portfolio.evidence_method == "professional-discussion"

    again = cli("catalogues", "import", str(STANDARDS), "--reference", "ST0792", "-o", str(out))
    assert again.exit_code == 2 and "already exists; use --force" in again.stderr

    # The user's copy of ST0792 v1.2 replaces the built-in one when its folder is given.
    shown = cli("--catalogues", str(out), "catalogues", "show", "ST0792", "--format", "json")
    assert json.loads(shown.stdout)["ksbs"][4]["code"] == "K5"
    assert len(json.loads(shown.stdout)["ksbs"]) == 10


def test_import_of_a_file_that_is_not_standards_data(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"referenceNumber": "ST0100", "version": "1.0"}', encoding="utf-8")
    result = cli("catalogues", "import", str(bad), "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "missing field 'title'" in result.stderr
    assert "Traceback" not in result.output
