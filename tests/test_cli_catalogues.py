"""The ``catalogues`` commands, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_catalogue_loader import MINIMAL, mutated

from portfolio_check import __version__


def test_version_and_help(cli) -> None:
    assert cli("--version").output.strip() == f"portfolio-check, version {__version__}"
    for command in ([], ["catalogues"], ["catalogues", "list"], ["catalogues", "show"],
                    ["catalogues", "validate"], ["catalogues", "import"]):
        result = cli(*command, "--help")
        assert result.exit_code == 0 and "Usage: portfolio-check" in result.output


def test_list_shows_one_line_per_standard(cli) -> None:
    result = cli("catalogues", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:3] == ["ST0792", "v1.2", "Junior"]
    assert "approved" in lines[0] and lines[0].endswith("56 KSBs")
    assert lines[1].startswith("ST1457") and "proposal" in lines[1] and lines[1].endswith("0 KSBs, 11 duties")
    listed = json.loads(cli("catalogues", "list", "--format", "json").output)
    assert [(s["reference"], s["ksbs"]) for s in listed] == [("ST0792", 56), ("ST1457", 0)]


def test_show_json_contract(cli) -> None:
    result = cli("catalogues", "show", "st0792", "--format", "json")
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert (shown["reference"], shown["version"], shown["title"]) == ("ST0792", "1.2", "Junior production coordinator")
    assert shown["options"] == [{"id": "production-coordinator", "title": "Production coordinator"},
                                {"id": "post-production-coordinator", "title": "Post production coordinator"}]
    assert [m["id"] for m in shown["methods"]] == ["presentation", "professional-discussion"]
    assert shown["duties"] == []
    assert len(shown["ksbs"]) == 56
    k19 = next(k for k in shown["ksbs"] if k["code"] == "K19")
    assert k19 == {"code": "K19", "kind": "knowledge",
                   "text": "The intended use and impact of a piece of copyright material or content.",
                   "options": ["production-coordinator"], "methods": ["professional-discussion"],
                   "theme": "copyright"}
    assert next(k for k in shown["ksbs"] if k["code"] == "B4")["options"] == ["core"]
    assert shown["portfolio"]["min_pieces"] == 18 and shown["portfolio"]["unknown"] == []


def test_show_filters_by_option_and_method(cli) -> None:
    result = cli("catalogues", "show", "ST0792", "--option", "post-production-coordinator",
                 "--method", "professional-discussion", "--format", "json")
    codes = [k["code"] for k in json.loads(result.output)["ksbs"]]
    assert len(codes) == 24 and "K28" in codes and "K19" not in codes and "K3" not in codes


def test_show_text_is_a_readable_table(cli) -> None:
    result = cli("catalogues", "show", "ST0792", "--version", "1.2", "--option", "production-coordinator")
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("ST0792 v1.2  Junior production coordinator (level 4, approved)")
    assert "Pieces of evidence: 18 to 20" in text and "Video in total: at most 10 min" in text
    assert "KSBs (47 of 56, option production-coordinator):" in text
    assert any(line.split()[:3] == ["K19", "production-coordinator", "professional-discussion"]
               for line in text.splitlines())
    assert " K24 " not in text


def test_show_lists_the_pre_gateway_requirements_with_how_firm_each_is(cli) -> None:
    text = " ".join(cli("catalogues", "show", "ST0792").output.split())
    assert ("Pre-Gateway requirements: Training: at least 12 months from start to Gateway (typical: a warning if "
            "not met) English and maths: Level 2 achieved (required: an error if not met)") in text
    shown = json.loads(cli("catalogues", "show", "ST0792", "--format", "json").output)["gateway"]
    assert shown["training"] == {"min_months": 12, "requirement": "typical"}
    assert shown["english_maths"] == {"level": 2, "requirement": "hard"}
    assert shown["declaration"] == shown["adjustments"] == {"requirement": "hard"}
    st1457 = " ".join(cli("catalogues", "show", "ST1457").output.split())
    assert "Pre-Gateway requirements: none set in the catalogue: The proposal sets no pre-Gateway" in st1457
    assert json.loads(cli("catalogues", "show", "ST1457", "--format", "json").output)["gateway"]["training"] is None


def test_show_st1457_lists_duties_and_assumptions(cli) -> None:
    text = cli("catalogues", "show", "ST1457").output
    assert "D11  Contribute to compliance" in text
    assert "Pieces of evidence: 10 to 20 (assumed)" in text
    assert "KSBs: none yet; evidence is mapped to the duties above." in text
    shown = json.loads(cli("catalogues", "show", "ST1457", "--format", "json").output)
    assert [d["code"] for d in shown["duties"]] == [f"D{i}" for i in range(1, 12)]
    assert shown["duties"][0]["off_the_job_days"] == 10
    assert shown["portfolio"]["evidence_codes"] == "duties"


@pytest.mark.parametrize(("args", "message"), [
    (["ST9999"], "error: unknown standard 'ST9999'. Known: ST0792, ST1457."),
    (["ST0792", "--version", "9"], "error: unknown version '9' for ST0792. Known: 1.2."),
    (["ST0792", "--option", "editor"],
     "error: unknown option 'editor' for ST0792 v1.2. Known: production-coordinator, post-production-coordinator."),
    (["ST1457", "--method", "exam"],
     "error: unknown assessment method 'exam' for ST1457 v0.1. Known: practical-assessment, discussion."),
])
def test_unknown_choices_exit_2_naming_what_exists(cli, args: list[str], message: str) -> None:
    result = cli("catalogues", "show", *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message
    assert result.stdout == ""


def test_a_malformed_user_catalogue_is_reported_not_a_traceback(cli, tmp_path: Path) -> None:
    (tmp_path / "ST0100.yaml").write_text(yaml.safe_dump(mutated("ksbs.1.options", ["beta"])), encoding="utf-8")
    result = cli("--catalogues", str(tmp_path), "catalogues", "list")
    assert result.exit_code == 1
    assert "warning: catalogue not used:" in result.stderr
    assert "ST0100.yaml: ksbs[1] (S1).options: unknown option 'beta' (known: alpha, core)" in result.stderr
    assert "ST0792" in result.stdout  # the good catalogues are still listed


def test_environment_variable_adds_catalogues(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ST0100.yaml").write_text(yaml.safe_dump(MINIMAL), encoding="utf-8")
    monkeypatch.setenv("PORTFOLIO_CHECK_CATALOGUES", str(tmp_path))
    from click.testing import CliRunner

    from portfolio_check.cli import main

    result = CliRunner().invoke(main, ["catalogues", "list"], catch_exceptions=False)
    assert [line.split()[0] for line in result.output.splitlines()] == ["ST0100", "ST0792", "ST1457"]


def test_validate(cli, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    bad = tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(MINIMAL), encoding="utf-8")
    bad.write_text(yaml.safe_dump(mutated("portfolio.min_pieces", 9)), encoding="utf-8")
    result = cli("catalogues", "validate", str(good), str(bad))
    assert result.exit_code == 1
    assert f"ok: {good}: ST0100 v1.0 Test occupation (2 KSBs, 0 duties)" in result.output
    assert f"invalid: {bad}: portfolio.min_pieces: 9 is more than max_pieces (4)" in result.output


def test_help_imports_no_heavy_library() -> None:
    """``--help`` must stay instant: the format libraries load only in the stage that needs them."""
    probe = ("import sys\n"
             "from portfolio_check.cli import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "heavy = ['docx', 'pptx', 'pypdf', 'mutagen', 'moviepy', 'av', 'openpyxl', 'PIL', 'jinja2', 'yaml', 'numpy']\n"
             "print('LOADED:' + ','.join(m for m in heavy if m in sys.modules))\n")
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert output.splitlines()[-1] == "LOADED:"
