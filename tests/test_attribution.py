"""The employer and apprentice statement: recognised by what its text says, in many layouts.

Most cases build `FileRecord`s from text as extraction hands it on (Word tables flattened one cell
per line, with blank cells dropped; PDFs wrapped line by line). Real Word, PDF and picture files
are built with the real libraries and read through the extraction runner as well.
"""

from __future__ import annotations

import json
from pathlib import Path

import builders
import pytest

from portfolio_check.checks.attribution import (
    APPRENTICE,
    EMPLOYER,
    AttributionResult,
    attribution_findings,
    find_attribution,
    parse_date,
    read_statement,
    statement_paths,
)
from portfolio_check.extract.model import FileRecord
from portfolio_check.extract.runner import extract_file
from portfolio_check.findings import Severity
from portfolio_check.ingest.inventory import ingest

FORMATS = {"word": "docx", "pdf": "pdf", "text": "txt", "powerpoint": "pptx", "image": "jpeg", "spreadsheet": "xlsx"}


def record(text: str | None, path: str = "Declaration.docx", kind: str = "word", **metadata) -> FileRecord:
    return FileRecord(path=path, size=len(text or "") + 1, sha256=None, kind=kind, format=FORMATS[kind],
                      description=kind, metadata=metadata, text=text)


def lines(*rows: str) -> str:
    return "\n".join(rows)


def codes(result: AttributionResult, required: bool | None = True) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in attribution_findings(result, required)]


# ------------------------------------------------------------------------------------------------
# Statements in many phrasings and layouts

POSITIVES = {
    # A python-docx table of party rows flattened: party, name, date, one cell per line.
    "word table, party rows": (lines(
        "Declaration of authenticity",
        "We confirm that the evidence in this portfolio is valid and attributable to the apprentice.",
        "Apprentice", "Sam Lee", "14/03/2026",
        "Employer", "Jo Bloggs", "15 March 2026",
    ), ("Jo Bloggs", "2026-03-15"), ("Sam Lee", "2026-03-14")),
    # Label and value cells separated by tabs, a section per party.
    "tab-separated labels, a section per party": (lines(
        "Apprentice declaration",
        "I confirm that the evidence in this portfolio is my own work.",
        "Apprentice name:\tSam Lee", "Signature:\tSam Lee", "Date:\t14th March 2026",
        "Employer declaration",
        "I confirm that, to the best of my knowledge, the evidence is authentic and was produced by Sam Lee.",
        "Employer name:\tJo Bloggs", "Signed:\tJo Bloggs", "Date:\t14.03.26",
    ), ("Jo Bloggs", "2026-03-14"), ("Sam Lee", "2026-03-14")),
    # A paragraph closing the manifest document, sign-offs inline.
    "paragraph at the end of a manifest": (lines(
        "Portfolio manifest", "Piece 1\tCall sheet\tK1, S2", "Piece 2\tEdit log\tK4, S5",
        "Declaration: The employer and apprentice confirm that the evidence in this portfolio is valid and "
        "attributable to the apprentice.",
        "Apprentice signature: Sam Lee   Date: 2026-03-14",
        "Employer signature: Jo Bloggs, Line Manager   Date: 14/03/2026",
    ), ("Jo Bloggs", "2026-03-14"), ("Sam Lee", "2026-03-14")),
    # A header row of labels, then a row per party; the sentence has no verb.
    "all-caps title, header row table, no verb": (lines(
        "STATEMENT OF AUTHENTICITY",
        "The evidence submitted in this portfolio is the apprentice's own work and is a true record.",
        "Name", "Signature", "Date",
        "Apprentice", "Sam Lee", "Sam Lee", "14/03/2026",
        "Employer", "Jo Bloggs", "Jo Bloggs", "15/03/2026",
    ), ("Jo Bloggs", "2026-03-15"), ("Sam Lee", "2026-03-14")),
    # A column per party.
    "column per party, learner and line manager": (lines(
        "Declaration",
        "We, the undersigned, confirm the portfolio evidence is genuine and attributable to the learner.",
        "Learner", "Line manager",
        "Name", "Sam Lee", "Jo Bloggs",
        "Date", "14/03/2026", "15/03/2026",
    ), ("Jo Bloggs", "2026-03-15"), ("Sam Lee", "2026-03-14")),
    # PDF form text: sentences wrapped across lines, labels with the value on the next line.
    "PDF form text, wrapped sentences": (lines(
        "Employer and apprentice declaration",
        "Apprentice: I confirm that the evidence in this portfolio",
        "is my own work and has not been copied.",
        "Apprentice name:", "Sam Lee", "Date:", "14 Mar 2026",
        "Line manager: I confirm that the evidence in this portfolio",
        "is valid and attributable to the apprentice.",
        "Line manager name:", "Jo Bloggs", "Date:", "15 Mar 2026",
    ), ("Jo Bloggs", "2026-03-15"), ("Sam Lee", "2026-03-14")),
    "ALL CAPS throughout": (lines(
        "EMPLOYER AND APPRENTICE DECLARATION",
        "WE CONFIRM THAT THE EVIDENCE IN THIS PORTFOLIO IS VALID AND ATTRIBUTABLE TO THE APPRENTICE.",
        "APPRENTICE NAME: SAM LEE", "DATE: 14TH MARCH 2026",
        "EMPLOYER NAME: JO BLOGGS", "DATE: 15TH MARCH 2026",
    ), ("JO BLOGGS", "2026-03-15"), ("SAM LEE", "2026-03-14")),
    "candidate certifies, signed on behalf of the employer": (lines(
        "Candidate declaration",
        "I certify that the work submitted in this portfolio is my own and has been produced by me without "
        "assistance beyond that allowed.",
        "Print name: Sam Lee ........ Signed: Sam Lee ........ Date: 14/03/2026",
        "Employer confirmation",
        "On behalf of the employer I confirm that the evidence is genuine and was produced by the candidate.",
        "Name: Jo Bloggs", "Signed on behalf of the employer: Jo Bloggs", "Dated: 15/03/2026",
    ), ("Jo Bloggs", "2026-03-15"), ("Sam Lee", "2026-03-14")),
    "tab-separated table rows with a blank signature cell": (lines(
        "Declaration",
        "By signing below, we confirm that the portfolio of evidence submitted is the apprentice's own work and is "
        "valid and authentic.",
        "\tName\tSignature\tDate",
        "Apprentice\tSam Lee\tSam Lee\t14/03/2026",
        "Employer\tJo Bloggs\t\t15/03/2026",
    ), ("Jo Bloggs", "2026-03-15"), ("Sam Lee", "2026-03-14")),
    "statement split over two sentences": (lines(
        "Apprentice and employer statement",
        "We both confirm the following. The evidence in this portfolio is authentic and was completed by the "
        "apprentice.",
        "Apprentice name: Sam Lee\tDate: 14/03/2026",
        "Employer name: Jo Bloggs\tDate: 15/03/2026",
    ), ("Jo Bloggs", "2026-03-15"), ("Sam Lee", "2026-03-14")),
}


@pytest.mark.parametrize("text, employer, apprentice", POSITIVES.values(), ids=list(POSITIVES))
def test_statements_are_recognised_with_names_and_dates(text: str, employer: tuple[str, str],
                                                         apprentice: tuple[str, str]) -> None:
    result = find_attribution([record(text)])
    statement = result.statement
    assert statement is not None
    assert statement.path == "Declaration.docx"
    assert statement.score >= 3.5
    assert [p.party for p in statement.parties] == [EMPLOYER, APPRENTICE]
    for party, (name, date) in ((EMPLOYER, employer), (APPRENTICE, apprentice)):
        shown = statement.party(party)
        assert (shown.confirmed, shown.name, shown.date) == (True, name, date), party
    assert 0 < len(statement.excerpt) <= 300
    assert attribution_findings(result, True) == []
    assert result.unverified == () and result.candidates == ()


def test_the_excerpt_is_the_confirming_sentence() -> None:
    statement = find_attribution([record(POSITIVES["paragraph at the end of a manifest"][0])]).statement
    assert statement is not None
    assert statement.excerpt.startswith("Declaration: The employer and apprentice confirm that the evidence")
    assert "Piece 1" not in statement.excerpt


def test_a_long_statement_is_cut_for_the_report() -> None:
    sentence = ("We confirm that the evidence in this portfolio, including " + "the call sheets, edit logs, " * 10
                + "is valid and attributable to the apprentice.")
    statement = find_attribution([record(lines(sentence, "Apprentice name: Sam Lee"))]).statement
    assert statement is not None
    assert 250 <= len(statement.excerpt) <= 300 and statement.excerpt.endswith("sheets…")


def test_signed_values_give_the_name_and_signed_flag() -> None:
    statement = find_attribution([record(lines(
        "Declaration",
        "We confirm that the evidence in this portfolio is valid and attributable to the apprentice.",
        "Apprentice signature: Sam Lee", "Date: 14/03/2026",
        "Employer signature: ______________", "Print name: Jo Bloggs", "Date: 15/03/2026",
    ))]).statement
    assert statement is not None
    assert (statement.party(APPRENTICE).name, statement.party(APPRENTICE).signed) == ("Sam Lee", True)
    assert (statement.party(EMPLOYER).name, statement.party(EMPLOYER).signed) == ("Jo Bloggs", False)


@pytest.mark.parametrize("kind", ["text", "powerpoint", "spreadsheet", "pdf"])
def test_text_of_other_kinds_is_read(kind: str) -> None:
    text = POSITIVES["tab-separated labels, a section per party"][0]
    result = find_attribution([record(text, path=f"statement.{FORMATS[kind]}", kind=kind)])
    assert result.statement is not None and result.statement.path == f"statement.{FORMATS[kind]}"


def test_text_decides_not_the_file_name() -> None:
    callsheet = NEGATIVES["call sheet mentioning the employer"]
    statement_text = POSITIVES["word table, party rows"][0]
    result = find_attribution([record(callsheet, path="Declaration.docx"), record(statement_text, path="notes.docx")])
    assert result.statement is not None and result.statement.path == "notes.docx"
    assert result.candidates == ()


def test_the_file_name_adds_a_little_weight() -> None:
    text = POSITIVES["tab-separated labels, a section per party"][0]
    named = read_statement(record(text, path="Declaration of authenticity.docx"))
    plain = read_statement(record(text, path="week 9.docx"))
    assert named is not None and plain is not None
    assert named.score == plain.score + 0.25


@pytest.mark.parametrize("sentence, parties", [
    ("As agreed with my employer, I confirm that the evidence in this portfolio is my own work.", {APPRENTICE}),
    ("I confirm that the evidence in this portfolio is valid and attributable to the apprentice.", {EMPLOYER}),
    ("The apprentice's line manager confirms that the portfolio evidence is authentic.", {EMPLOYER}),
    ("As line manager, I confirm the evidence in this portfolio is genuine.", {EMPLOYER}),
    ("The learner confirms that the evidence in this portfolio is their own work and is valid.", {APPRENTICE}),
    ("We confirm that the evidence in this portfolio is valid and attributable to the apprentice.",
     {EMPLOYER, APPRENTICE}),
])
def test_who_confirms_is_read_from_the_sentence(sentence: str, parties: set[str]) -> None:
    statement = find_attribution([record(sentence)]).statement
    assert statement is not None
    assert {p.party for p in statement.parties if p.confirmed} == parties


@pytest.mark.parametrize("heading, sentence, confirmed", [
    ("Employer declaration", "I confirm that, to the best of my knowledge, the evidence in this portfolio is authentic.",
     [True, False]),
    # The heading wins over an "I" speaking of the apprentice in the third person.
    ("APPRENTICE DECLARATION", "I confirm that the evidence in this portfolio is valid and attributable to the "
     "apprentice.", [False, True]),
])
def test_who_confirms_is_read_from_the_heading_above(heading: str, sentence: str, confirmed: list[bool]) -> None:
    statement = find_attribution([record(lines(heading, sentence))]).statement
    assert statement is not None
    assert [p.confirmed for p in statement.parties] == confirmed


# ------------------------------------------------------------------------------------------------
# Not statements

NEGATIVES = {
    "witness statement": lines(
        "Witness statement",
        "I witnessed Sam coordinating the shoot on 3 March. Sam briefed the crew, kept the call sheet up to date and "
        "managed the unit moves.",
        "Signed: Jo Bloggs, Line Manager", "Date: 04/03/2026",
    ),
    "witness testimony with a true account": lines(
        "WITNESS TESTIMONY",
        "I confirm that this is a true and accurate account of the work Sam carried out on the shoot.",
        "I also confirm that the evidence of Sam's editing in this portfolio is authentic.",
        "Signed: Jo Bloggs, Line Manager", "Date: 04/03/2026",
    ),
    "call sheet mentioning the employer": lines(
        "CALL SHEET - Day 3", "Production: Harbour Lights", "Employer: Acme Productions Ltd",
        "Production Manager: Jo Bloggs", "Unit call 07:30", "Location: Quay Street",
        "Please confirm attendance with the production office.", "All crew must bring valid ID.",
    ),
    "risk assessment": lines(
        "Risk assessment", "Activity: location shoot", "Hazard: trailing cables. Control: cable mats.",
        "I confirm that I have read and understood this risk assessment and that the controls are valid for the "
        "duration of the shoot.",
        "Name: Sam Lee  Signature: Sam Lee  Date: 02/03/2026", "Approved by line manager: Jo Bloggs",
    ),
    "manifest listing KSBs and quoting the rule": lines(
        "Portfolio manifest", "Apprentice: Sam Lee", "Employer: Acme Productions Ltd",
        "Piece\tTitle\tKSBs\tWitness", "1\tCall sheet\tK1, S2\tJo Bloggs (line manager)", "2\tEdit log\tK4, S5, B1",
        "The evidence provided must be valid and attributable to the apprentice; the portfolio of evidence must "
        "contain a statement from the employer and apprentice confirming this.",
        "Evidence is valid and attributable: see the declaration.",
    ),
    "email asking to confirm the schedule": lines(
        "From: Sam Lee", "To: Jo Bloggs", "Subject: Tuesday",
        "Hi Jo, please confirm the schedule for Tuesday's shoot. Could you confirm the evidence folder link is "
        "still valid?", "Thanks, Sam",
    ),
    "CV": lines(
        "Curriculum Vitae", "Sam Lee", "Profile",
        "I am a genuine, hard-working production coordinator. My portfolio shows my own work for clients "
        "across film and television.",
        "Employer: Acme Productions Ltd (2024 to present)", "Name: Sam Lee", "Date of birth: 01/02/2003",
        "References available on request.",
    ),
    "assessor's declaration": lines(
        "Assessor declaration",
        "I confirm that the evidence in this portfolio is valid and authentic.",
        "Assessor name: Pat Jones", "Date: 14/03/2026",
    ),
    "reflective account": lines(
        "Reflective account",
        "I think the evidence in this portfolio shows my own work on the shoot.",
        "Name: Sam Lee",
    ),
    "template instructions only": lines(
        "Declaration guidance",
        "The apprentice and the employer should sign below to confirm that the evidence is valid and the "
        "apprentice's own work.",
    ),
}


@pytest.mark.parametrize("text", NEGATIVES.values(), ids=list(NEGATIVES))
def test_other_documents_are_not_statements(text: str) -> None:
    result = find_attribution([record(text, path="piece.docx")])
    assert result.statement is None
    assert result.unverified == ()
    assert codes(result) == [("attribution-missing", Severity.ERROR)]


def test_missing_statement_finding_says_what_to_do() -> None:
    (finding,) = attribution_findings(find_attribution([record(NEGATIVES["CV"], path="cv.docx")]), True)
    assert finding.code == "attribution-missing" and finding.path is None
    assert "No statement from the employer and the apprentice" in finding.message
    assert finding.fix and "signed and dated by both the employer and the apprentice" in finding.fix


def test_a_statement_beside_evidence_is_found_and_evidence_is_left_alone() -> None:
    records = [record(text, path=f"evidence/{name}.docx") for name, text in NEGATIVES.items()]
    records.append(record(POSITIVES["word table, party rows"][0], path="Declaration.docx"))
    result = find_attribution(records)
    assert result.statement is not None and result.statement.path == "Declaration.docx"
    assert result.candidates == ()
    assert statement_paths(result) == {"Declaration.docx"}


# ------------------------------------------------------------------------------------------------
# Incomplete statements


def test_employer_date_missing() -> None:
    result = find_attribution([record(lines(
        "Declaration",
        "We confirm that the evidence in this portfolio is valid and attributable to the apprentice.",
        "Apprentice name: Sam Lee", "Apprentice signature: Sam Lee   Date: 14/03/2026",
        "Employer name: Jo Bloggs", "Employer signature: Jo Bloggs   Date: ____________",
    ))])
    (finding,) = attribution_findings(result, True)
    assert (finding.code, finding.severity, finding.path) == ("attribution-incomplete", Severity.ERROR,
                                                             "Declaration.docx")
    assert "the employer's date is missing" in finding.message
    assert "the apprentice's confirmation, name and date are present" in finding.message
    assert finding.fix and "employer add the date they signed" in finding.fix


def test_apprentice_name_blank_underscores_and_employer_name_and_date_missing() -> None:
    result = find_attribution([record(lines(
        "Declaration of authenticity",
        "We confirm that the evidence in this portfolio is valid and attributable to the apprentice.",
        "Apprentice name", "__________________", "Date", "14/03/2026",
        "Employer name", "[name]", "Date", "…",
    ))])
    statement = result.statement
    assert statement is not None
    assert statement.party(APPRENTICE).name is None and statement.party(APPRENTICE).date == "2026-03-14"
    assert statement.party(EMPLOYER).name is None and statement.party(EMPLOYER).date is None
    (finding,) = attribution_findings(result, True)
    assert finding.code == "attribution-incomplete"
    assert "the employer's name and date are missing; the apprentice's name is missing" in finding.message


def test_word_content_control_placeholders_are_blank() -> None:
    result = find_attribution([record(lines(
        "Declaration of authenticity",
        "We confirm the evidence in this portfolio is valid and attributable to the apprentice.",
        "Apprentice name", "Click or tap here to enter text.", "Date", "Click or tap to enter a date.",
        "Employer name", "Jo Bloggs", "Date", "15/03/2026",
    ))])
    (finding,) = attribution_findings(result, True)
    assert "the employer's confirmation, name and date are present; the apprentice's name and date are missing" \
        in finding.message


def test_word_table_with_a_blank_cell() -> None:
    """Word drops blank cells from the text: the row still shows which entry is missing."""
    result = find_attribution([record(lines(
        "Declaration of authenticity",
        "We confirm that the evidence in this portfolio is valid and attributable to the apprentice.",
        "Apprentice", "Sam Lee", "14/03/2026",
        "Employer", "15 March 2026",
    ))])
    (finding,) = attribution_findings(result, True)
    assert "the employer's name is missing" in finding.message


def test_only_the_apprentice_confirms() -> None:
    result = find_attribution([record(lines(
        "Learner declaration",
        "I declare that the work in this portfolio is my own.",
        "Signed: Sam Lee", "Date: 14/03/2026",
    ))])
    statement = result.statement
    assert statement is not None
    assert statement.party(APPRENTICE).confirmed and not statement.party(EMPLOYER).confirmed
    (finding,) = attribution_findings(result, True)
    assert finding.code == "attribution-incomplete" and finding.severity is Severity.ERROR
    assert "the employer's confirmation, name and date are missing" in finding.message
    assert finding.fix and "the employer confirms that the evidence is valid" in finding.fix


def test_unsigned_template_is_incomplete_for_both() -> None:
    result = find_attribution([record(lines(
        "Employer and apprentice declaration",
        "We confirm that the evidence in this portfolio is valid and attributable to the apprentice.",
        "Apprentice name:", "Apprentice signature:", "Date:",
        "Employer name:", "Employer signature:", "Date:",
    ))])
    (finding,) = attribution_findings(result, True)
    assert "the employer's name and date are missing; the apprentice's name and date are missing" in finding.message


# ------------------------------------------------------------------------------------------------
# PDF signature fields, scans, photos and drawn signatures

FORM_TEXT = lines(
    "Employer and apprentice declaration",
    "We confirm that the evidence in this portfolio is valid and attributable to the apprentice.",
    "Apprentice name: Sam Lee", "Apprentice signature:", "Date: 14/03/2026",
    "Employer name:", "Employer signature:", "Date:",
)


def test_signed_pdf_signature_field_counts_for_its_party() -> None:
    form = record(FORM_TEXT, path="Declaration form.pdf", kind="pdf", form_fields=2, has_text_layer=True,
                  signature_fields=[{"name": "Employer signature", "signed": True},
                                    {"name": "Apprentice signature", "signed": False}])
    result = find_attribution([form])
    statement = result.statement
    assert statement is not None
    employer, apprentice = statement.party(EMPLOYER), statement.party(APPRENTICE)
    assert (employer.confirmed, employer.signed, employer.signed_digitally) == (True, True, True)
    assert (apprentice.signed, apprentice.signed_digitally) == (False, False)
    # The digital signature records who signed and when; the apprentice typed name and date.
    assert attribution_findings(result, True) == []


def test_signature_field_without_a_party_counts_for_neither() -> None:
    form = record(FORM_TEXT, path="Declaration form.pdf", kind="pdf", form_fields=1, has_text_layer=True,
                  signature_fields=[{"name": "Signature1", "signed": True}])
    statement = find_attribution([form]).statement
    assert statement is not None
    assert not statement.party(EMPLOYER).signed and not statement.party(APPRENTICE).signed
    assert codes(find_attribution([form])) == [("attribution-incomplete", Severity.ERROR)]


def test_scanned_declaration_is_unverified_not_missing() -> None:
    scan = record("", path="Declaration - signed.pdf", kind="pdf", image_only=True, has_text_layer=False)
    result = find_attribution([scan, record(NEGATIVES["CV"], path="cv.docx")])
    assert result.statement is None
    assert result.unverified == ("Declaration - signed.pdf",)
    (finding,) = attribution_findings(result, True)
    assert (finding.code, finding.severity, finding.path) == ("attribution-unverified", Severity.WARNING,
                                                             "Declaration - signed.pdf")
    assert "Check it by hand" in finding.message
    assert statement_paths(result) == {"Declaration - signed.pdf"}


@pytest.mark.parametrize("path, kind, text", [
    ("photos/signed declaration.jpg", "image", None),
    ("Statement of authenticity.pdf", "pdf", None),
    ("employer signed.png", "image", None),
    ("Signed.heic", "image", None),
    ("Declaration.docx", "word", ""),
])
def test_pictures_named_like_a_statement_are_unverified(path: str, kind: str, text: str | None) -> None:
    result = find_attribution([record(text, path=path, kind=kind)])
    assert result.unverified == (path,)
    assert codes(result) == [("attribution-unverified", Severity.WARNING)]


@pytest.mark.parametrize("path", ["signed call sheet.jpg", "Witness statement.jpg", "IMG_2041.jpg",
                                  "personal statement.pdf"])
def test_other_pictures_are_not_taken_for_a_statement(path: str) -> None:
    result = find_attribution([record(None, path=path, kind="image" if path.endswith("jpg") else "pdf",
                                      image_only=True)])
    assert result.unverified == ()
    assert codes(result) == [("attribution-missing", Severity.ERROR)]


def test_scanned_pdf_with_some_stamped_text_is_still_a_scan() -> None:
    scan = record("Scanned with CamScanner", path="Declaration.pdf", kind="pdf", image_only=True,
                  has_text_layer=True)
    assert find_attribution([scan]).unverified == ("Declaration.pdf",)


def test_drawn_signatures_are_left_to_be_checked_by_hand() -> None:
    drawn = record(lines(
        "Declaration",
        "I confirm that the evidence in this portfolio is my own work.",
        "Apprentice name:", "Signature:", "Date: 14/03/2026",
        "I confirm that the evidence is valid and attributable to the apprentice.",
        "Employer name: Jo Bloggs", "Signature:", "Date: 15/03/2026",
    ), images=2)
    result = find_attribution([drawn])
    assert result.statement is not None and result.statement.drawn
    assert result.unverified == ("Declaration.docx",)
    (finding,) = attribution_findings(result, True)
    assert (finding.code, finding.severity) == ("attribution-unverified", Severity.WARNING)
    assert "(the employer's signature; the apprentice's name and signature)" in finding.message


def test_pictures_do_not_excuse_a_party_without_a_sign_off_block() -> None:
    text = lines("Declaration",
                 "We confirm that the evidence in this portfolio is valid and attributable to the apprentice.",
                 "Apprentice name: Sam Lee", "Signature:", "Date: 14/03/2026")
    result = find_attribution([record(text, images=1)])
    found = {f.code: f for f in attribution_findings(result, True)}
    assert set(found) == {"attribution-incomplete", "attribution-unverified"}
    assert "the employer's name and date are missing" in found["attribution-incomplete"].message
    assert "the apprentice's signature" in found["attribution-unverified"].message


def test_blank_entries_without_pictures_are_errors() -> None:
    text = lines("Declaration", "I confirm that the evidence in this portfolio is my own work.",
                 "Apprentice name:", "Signature:", "Date: 14/03/2026")
    result = find_attribution([record(text, images=0)])
    assert result.statement is not None and not result.statement.drawn
    assert result.unverified == ()
    assert ("attribution-incomplete", Severity.ERROR) in codes(result)


def test_confirmation_missing_stays_an_error_even_with_pictures() -> None:
    text = lines("Learner declaration", "I declare that the work in this portfolio is my own.",
                 "Signed: Sam Lee", "Date: 14/03/2026")
    result = find_attribution([record(text, images=3)])
    assert codes(result) == [("attribution-incomplete", Severity.ERROR)]


def test_typed_unsigned_statement_beside_a_signed_scan_is_checked_by_hand() -> None:
    typed = record(lines(
        "Declaration",
        "We confirm that the evidence in this portfolio is valid and attributable to the apprentice.",
        "Apprentice name:", "Date:", "Employer name:", "Date:",
    ))
    scan = record(None, path="Declaration signed.jpg", kind="image")
    result = find_attribution([typed, scan])
    assert result.statement is not None and result.unverified == ("Declaration signed.jpg",)
    findings = attribution_findings(result, True)
    assert [(f.code, f.severity) for f in findings] == [("attribution-unverified", Severity.WARNING)]
    assert "Declaration signed.jpg" in findings[0].message
    assert statement_paths(result) == {"Declaration.docx", "Declaration signed.jpg"}


def test_unreadable_file_without_text_is_skipped() -> None:
    broken = record(None, path="Declaration.pdf", kind="pdf")
    broken.error = "file-unreadable"
    result = find_attribution([broken])
    assert result.unverified == () and result.statement is None


# ------------------------------------------------------------------------------------------------
# Several statements


def test_separate_employer_and_apprentice_statements_complete_each_other() -> None:
    apprentice = record(lines("Apprentice declaration", "I confirm that the evidence in this portfolio is my own work.",
                              "Name: Sam Lee", "Date: 14/03/2026"), path="Apprentice declaration.docx")
    employer = record(lines("Employer declaration",
                            "I confirm that the evidence in this portfolio is valid and attributable to the "
                            "apprentice.", "Name: Jo Bloggs", "Date: 15/03/2026"), path="Employer declaration.docx")
    result = find_attribution([apprentice, employer])
    assert result.statement is not None
    assert {result.statement.path, *result.candidates} == {apprentice.path, employer.path}
    assert len(result.others) == 1
    assert attribution_findings(result, True) == []
    assert statement_paths(result) == {apprentice.path, employer.path}


def test_the_most_complete_statement_is_chosen_and_others_are_candidates() -> None:
    complete = record(POSITIVES["word table, party rows"][0], path="b/Declaration.docx")
    partial = record(lines("Learner declaration", "I declare that the work in this portfolio is my own.",
                           "Signed: Sam Lee", "Date: 14/03/2026"), path="a/learner.docx")
    result = find_attribution([partial, complete])
    assert result.statement is not None and result.statement.path == "b/Declaration.docx"
    assert result.candidates == ("a/learner.docx",)
    assert statement_paths(result) == {"b/Declaration.docx"}
    assert attribution_findings(result, True) == []


# ------------------------------------------------------------------------------------------------
# Whether the standard asks for it


@pytest.mark.parametrize("records", [
    [],
    [record(NEGATIVES["CV"])],
    [record(lines("Learner declaration", "I declare that the work in this portfolio is my own."))],
    [record(None, path="signed declaration.jpg", kind="image")],
], ids=["nothing", "no statement", "incomplete", "scan only"])
@pytest.mark.parametrize("required", [False, None])
def test_nothing_is_reported_unless_required(records: list[FileRecord], required: bool | None) -> None:
    result = find_attribution(records)
    assert attribution_findings(result, required) == []
    assert attribution_findings(result, True) != []


def test_results_are_json_friendly() -> None:
    result = find_attribution([record(FORM_TEXT, path="form.pdf", kind="pdf", has_text_layer=True,
                                      signature_fields=[{"name": "Employer", "signed": True}]),
                               record(None, path="Declaration.jpg", kind="image")])
    data = json.loads(json.dumps(result.to_dict()))
    assert data["statement"]["path"] == "form.pdf"
    assert [p["party"] for p in data["statement"]["parties"]] == ["employer", "apprentice"]
    assert data["statement"]["parties"][0]["signed"] is True
    assert data["unverified"] == ["Declaration.jpg"]
    assert all(isinstance(f.to_dict(), dict) for f in attribution_findings(result, True))


@pytest.mark.parametrize("text, expected", [
    ("14/03/2026", "2026-03-14"),
    ("2026-03-14", "2026-03-14"),
    ("14 March 2026", "2026-03-14"),
    ("14th March 2026", "2026-03-14"),
    ("14.03.26", "2026-03-14"),
    ("March 14, 2026", "2026-03-14"),
    ("1st Sept 2025", "2025-09-01"),
    ("Monday", "Monday"),
    ("31/02/2026", "31/02/2026"),
    ("__ / __ / ____", None),
    ("dd/mm/yyyy", None),
    ("", None),
])
def test_dates(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


# ------------------------------------------------------------------------------------------------
# Real files through extraction


def _extract_all(folder: Path) -> list[FileRecord]:
    return [extract_file(item) for item in ingest(folder).files]


def test_real_word_declaration_with_a_sign_off_table(tmp_path: Path) -> None:
    builders.docx(tmp_path / "portfolio" / "Declaration.docx",
                  ["We confirm that the evidence in this portfolio is valid and attributable to the apprentice, "
                   "and that it is the apprentice's own work."],
                  title="Declaration of authenticity",
                  table=[["Apprentice", "Sam Lee", "14/03/2026"], ["Employer", "Jo Bloggs", "15 March 2026"]])
    builders.docx(tmp_path / "portfolio" / "evidence" / "Witness statement.docx",
                  ["I witnessed Sam coordinating the shoot on 3 March and briefing the crew.",
                   "Signed: Jo Bloggs, Line Manager", "Date: 04/03/2026"], title="Witness statement")
    records = _extract_all(tmp_path / "portfolio")
    result = find_attribution(records)
    assert result.statement is not None and result.statement.path == "Declaration.docx"
    assert result.candidates == ()
    employer, apprentice = result.statement.parties
    assert (employer.name, employer.date) == ("Jo Bloggs", "2026-03-15")
    assert (apprentice.name, apprentice.date) == ("Sam Lee", "2026-03-14")
    assert attribution_findings(result, True) == []


def test_real_word_declaration_with_a_blank_cell(tmp_path: Path) -> None:
    builders.docx(tmp_path / "p" / "Declaration.docx",
                  ["We confirm that the evidence in this portfolio is valid and attributable to the apprentice."],
                  title="Declaration", table=[["Apprentice", "Sam Lee", "14/03/2026"], ["Employer", "", "15/03/2026"]])
    result = find_attribution(_extract_all(tmp_path / "p"))
    (finding,) = attribution_findings(result, True)
    assert finding.code == "attribution-incomplete" and "the employer's name is missing" in finding.message


def test_real_word_declaration_with_a_drawn_signature(tmp_path: Path) -> None:
    from docx import Document

    picture = tmp_path / "signature.png"
    picture.write_bytes(builders.png_bytes(16, 8))
    document = Document()
    document.add_heading("Declaration", level=1)
    document.add_paragraph("I confirm that the evidence in this portfolio is my own work.")
    grid = document.add_table(rows=3, cols=2)
    for row, (label, value) in enumerate([("Apprentice name", "Sam Lee"), ("Signature", ""), ("Date", "14/03/2026")]):
        grid.cell(row, 0).text = label
        grid.cell(row, 1).text = value
    grid.cell(1, 1).paragraphs[0].add_run().add_picture(str(picture))
    (tmp_path / "p").mkdir()
    document.save(str(tmp_path / "p" / "Learner declaration.docx"))
    (record_,) = _extract_all(tmp_path / "p")
    assert record_.metadata.get("images", 0) > 0
    result = find_attribution([record_])
    assert result.statement is not None and result.statement.drawn
    assert result.unverified == ("Learner declaration.docx",)
    apprentice = result.statement.party(APPRENTICE)
    assert (apprentice.name, apprentice.date, apprentice.signed) == ("Sam Lee", "2026-03-14", False)
    found = codes(result)
    assert ("attribution-unverified", Severity.WARNING) in found
    assert ("attribution-incomplete", Severity.ERROR) in found  # the employer never confirms


def test_real_pdf_declaration(tmp_path: Path) -> None:
    builders.pdf(tmp_path / "p" / "declaration.pdf", [[
        "Employer and apprentice declaration",
        "I confirm that the evidence in this portfolio",
        "is my own work.",
        "Apprentice signature: Sam Lee   Date: 14/03/2026",
        "I confirm that the evidence in this portfolio is valid and",
        "attributable to the apprentice.",
        "Employer signature: Jo Bloggs, Line Manager   Date: 15.03.26",
    ]])
    (pdf,) = _extract_all(tmp_path / "p")
    assert pdf.kind == "pdf" and pdf.metadata["has_text_layer"]
    result = find_attribution([pdf])
    assert result.statement is not None
    employer, apprentice = result.statement.parties
    assert (employer.confirmed, employer.name, employer.date, employer.signed) == \
        (True, "Jo Bloggs", "2026-03-15", True)
    assert (apprentice.confirmed, apprentice.name, apprentice.date) == (True, "Sam Lee", "2026-03-14")
    assert attribution_findings(result, True) == []


def test_real_scan_and_photo_are_unverified(tmp_path: Path) -> None:
    from PIL import Image

    folder = tmp_path / "p"
    folder.mkdir()
    Image.new("RGB", (120, 160), (250, 250, 250)).save(folder / "Declaration - signed.pdf", "PDF")
    builders.jpeg(folder / "photos" / "signed declaration.jpg")
    builders.jpeg(folder / "photos" / "set build.jpg")
    records = _extract_all(folder)
    scan = next(r for r in records if r.path.endswith(".pdf"))
    assert scan.metadata.get("image_only") is True
    result = find_attribution(records)
    assert result.statement is None
    assert set(result.unverified) == {"Declaration - signed.pdf", "photos/signed declaration.jpg"}
    assert codes(result) == [("attribution-unverified", Severity.WARNING)] * 2


def test_corpus_documents_are_not_statements(corpus: Path) -> None:
    """Real-world documents from public projects: none is an employer and apprentice statement."""
    suffixes = {".pdf", ".docx", ".pptx", ".xlsx", ".txt"}
    records = [extract_file(item) for item in ingest(corpus).files
               if Path(item.path).suffix.lower() in suffixes]
    assert sum(1 for r in records if r.text and r.text.strip()) >= 20
    result = find_attribution(records)
    assert result.statement is None and result.candidates == ()
