"""The built-in catalogues, checked against the documents they were transcribed from."""

from __future__ import annotations

from collections import Counter

import pytest

from portfolio_check.catalogue.loader import builtin_catalogue_dir, discover, load_catalogue_file
from portfolio_check.catalogue.model import Standard


@pytest.fixture(scope="module")
def st0792() -> Standard:
    return load_catalogue_file(builtin_catalogue_dir() / "ST0792-v1.2.yaml")


@pytest.fixture(scope="module")
def st1457() -> Standard:
    return load_catalogue_file(builtin_catalogue_dir() / "ST1457-v0.1.yaml")


def test_every_builtin_catalogue_loads() -> None:
    found = discover()
    assert found.errors == []
    assert {(s.reference, s.version) for s in found.standards} == {("ST0792", "1.2"), ("ST1457", "0.1")}


def test_st0792_has_every_ksb_exactly_once(st0792: Standard) -> None:
    counts = Counter(k.code for k in st0792.ksbs)
    expected = {f"K{i}" for i in range(1, 30)} | {f"S{i}" for i in range(1, 24)} | {f"B{i}" for i in range(1, 5)}
    assert set(counts) == expected
    assert all(n == 1 for n in counts.values())
    kinds = Counter(k.kind for k in st0792.ksbs)
    assert kinds == {"knowledge": 29, "skill": 23, "behaviour": 4}


def test_st0792_facts_and_rules(st0792: Standard) -> None:
    assert (st0792.title, st0792.level, st0792.status) == ("Junior production coordinator", 4, "approved")
    assert [o.id for o in st0792.options] == ["production-coordinator", "post-production-coordinator"]
    assert [m.id for m in st0792.methods] == ["presentation", "professional-discussion"]
    assert [m.id for m in st0792.methods if m.underpinned_by_portfolio] == ["professional-discussion"]
    rules = st0792.portfolio
    assert (rules.min_pieces, rules.max_pieces, rules.max_video_seconds) == (18, 20, 600)
    assert rules.attribution_statement_required is True
    assert rules.evidence_method == "professional-discussion"
    assert rules.unknown_rules() == [] and rules.assumptions == {}


@pytest.mark.parametrize(("code", "start", "end"), [
    ("K1", "How structure, vision and purpose", "affects production."),
    ("K12", "Industry regulations, codes of practice", "including social media policy."),
    ("K21", "How to ensure that all media or creative content is cleared", "interpreting the rights on PPP or contacts."),
    ("K29", "The editorial process in relation to client turnover", "finishing or deliverables."),
    ("S3", "Create, maintain and share production documentation", "client feedback, review notes."),
    ("S15", "Operate within legislation, regulations", "health and safety, confidentiality, security."),
    ("S23", "Manage the delivery process of materials", "keeping parties informed of progress and change."),
    ("B2", "Act in a professional and ethical manner", "embracing equality, diversity and inclusion in the workplace."),
    ("B4", "Maintain commercial confidentiality", "at all times, and in all settings."),
])
def test_st0792_statement_text(st0792: Standard, code: str, start: str, end: str) -> None:
    ksb = st0792.ksb(code)
    assert ksb is not None
    assert ksb.text.startswith(start) and ksb.text.endswith(end)


@pytest.mark.parametrize(("code", "options", "method", "theme"), [
    ("K1", ("core",), "professional-discussion", "production-context"),
    ("K3", ("core",), "presentation", "the-role"),
    ("K11", ("core",), "professional-discussion", "regulations-and-health-and-safety"),
    ("K16", ("core",), "presentation", "sustainability"),
    ("K17", ("production-coordinator",), "presentation", "production-compliance"),
    ("K19", ("production-coordinator",), "professional-discussion", "copyright"),
    ("S19", ("production-coordinator",), "professional-discussion", "copyright"),
    ("K24", ("post-production-coordinator",), "presentation", "the-post-production-schedule"),
    ("S22", ("post-production-coordinator",), "presentation", "processes-and-workflows"),
    ("K28", ("post-production-coordinator",), "professional-discussion", "deliverables"),
    ("B1", ("core",), "presentation", "production-monitoring"),
    ("B3", ("core",), "professional-discussion", "cpd"),
])
def test_st0792_mappings(st0792: Standard, code: str, options: tuple[str, ...], method: str, theme: str) -> None:
    ksb = st0792.ksb(code)
    assert ksb is not None
    assert (ksb.options, ksb.methods, ksb.theme) == (options, (method,), theme)


def test_st0792_professional_discussion_ksbs_per_option(st0792: Standard) -> None:
    core = {"K1", "K5", "K7", "K9", "K10", "K11", "K12", "K13", "K14", "K15",
            "S1", "S5", "S6", "S7", "S9", "S11", "S14", "S15", "S17", "B3", "B4"}
    production = {k.code for k in st0792.ksbs_for("production-coordinator", "professional-discussion")}
    post = {k.code for k in st0792.ksbs_for("post-production-coordinator", "professional-discussion")}
    assert production == core | {"K19", "K20", "K21", "S18", "S19"}
    assert post == core | {"K28", "K29", "S23"}
    # Every KSB is assessed by exactly one of the two methods.
    assert all(len(k.methods) == 1 for k in st0792.ksbs)
    assert len(st0792.ksbs_for(None, "presentation")) + len(st0792.ksbs_for(None, "professional-discussion")) == 56


def test_st0792_themes_carry_pass_and_distinction_descriptors(st0792: Standard) -> None:
    assert len(st0792.themes) == 17
    resourcing = st0792.theme("resourcing-and-logistics-coordination")
    assert resourcing is not None
    assert [d.ksbs for d in resourcing.pass_descriptors] == [("K5", "S1"), ("K7", "S5"), ("K10", "S6")]
    assert [d.ksbs for d in resourcing.distinction_descriptors] == [("K7", "S5")]
    assert resourcing.distinction_descriptors[0].text == \
        "Justifies their selection of suppliers, crew members and resources."
    copyright_theme = st0792.theme("copyright")
    assert copyright_theme is not None and copyright_theme.options == ("production-coordinator",)
    assert copyright_theme.distinction_descriptors == ()
    # Every KSB is graded by a pass descriptor of its own theme.
    for ksb in st0792.ksbs:
        theme = st0792.theme(ksb.theme or "")
        assert theme is not None and theme.method in ksb.methods
        assert any(ksb.code in d.ksbs for d in theme.pass_descriptors), ksb.code


def test_st1457_proposal_maps_evidence_to_duties(st1457: Standard) -> None:
    assert (st1457.title, st1457.level, st1457.status) == ("Assistant stage manager", 3, "proposal")
    assert [d.code for d in st1457.duties] == [f"D{i}" for i in range(1, 12)]
    assert st1457.duties[0].text == "Assist with the co-ordination and running of rehearsals."
    assert st1457.duties[9].text.startswith("Manage work as a freelancer")
    assert [d.off_the_job_days for d in st1457.duties] == [10, 5, 5, 5, 10, 5, 5, 5, 5, 5, 5]
    assert st1457.ksbs == ()
    assert len(st1457.ksb_categories) == 8 and "Freelancing" in st1457.ksb_categories
    assert [m.id for m in st1457.methods] == ["practical-assessment", "discussion"]
    assert st1457.portfolio.evidence_codes == "duties"
    assert st1457.evidence_codes() == tuple(f"D{i}" for i in range(1, 12))
    # Unpublished rules are stated as assumptions, every one of them.
    assert set(st1457.portfolio.assumptions) == {
        "min_pieces", "max_pieces", "max_video_seconds", "attribution_statement_required", "evidence_method"}
