"""The samples: which evidence each portfolio holds, how it is mapped, and what makes it (not) ready."""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from samplegen import manifests, screen, stage, writers
from samplegen.manifests import Piece
from samplegen.people import CALLUM, MAYA, PRIYA, TOM, Apprentice
from samplegen.writers import ClipCache

PD = "01 Pre-production"
CC = "02 Compliance and clearances"
PR = "03 Production"
AV = "04 Video and audio"
DEV = "05 Professional development"


def _stamp(seconds: float) -> str:
    """A manifest time stamp (mm:ss) for the end of a clip."""
    return f"{int(seconds) // 60:02d}:{int(seconds) % 60:02d}"


def production_pieces(a: Apprentice, root: Path, cache: ClipCache, *, videos: tuple[float, float, float],
                      audio: float | None = 95.0, skip: frozenset[str] = frozenset(), extra: frozenset[str] = frozenset(),
                      deck_movie: float | None = None, encrypt_releases: bool = False, seed: int = 0,
                      first: date = date(2025, 3, 10), presenter: int | None = None) -> list[Piece]:
    """A production coordinator's portfolio (ST0792, production option): up to 20 pieces over a year.
    With ``presenter`` (see `writers.PRESENTERS`), the apprentice is in view in every clip."""
    pieces: list[Piece] = []
    day = first

    def add(key: str, title: str, files: list[str], codes: str, when: date, description: str, **more: str) -> None:
        if key not in skip:
            pieces.append(Piece(title, tuple(files), tuple(codes.split()), when, description, **more))

    def want(key: str) -> bool:
        return key not in skip

    if want("schedule"):
        screen.production_schedule(a, root / PD / "Production schedule v4.docx", day)
    add("schedule", "Production schedule v4 with change log", [f"{PD}/Production schedule v4.docx"], "K1 K9 S8 S9", day,
        "Schedule I maintain for the series; v4 re-planned the Whitby block after a storm warning.")
    day += timedelta(days=9)
    if want("risk"):
        screen.risk_assessment(a, root / PD / "RA-014 harbour and boat work.docx", day)
    add("risk", "Risk assessment RA-014 - harbour and boat work", [f"{PD}/RA-014 harbour and boat work.docx"],
        "K11 K12 S11 S15", day, "Risk assessment I wrote from the recce and reviewed with the production manager.")
    day += timedelta(days=5)
    if want("bookings"):
        screen.bookings_tracker(a, root / PD / "Crew and kit bookings.xlsx", day)
    add("bookings", "Crew and kit bookings tracker", [f"{PD}/Crew and kit bookings.xlsx"], "K7 S4 S5", day,
        "Suppliers and crew I researched and booked, with POs, and the kit check-out log.")
    day += timedelta(days=3)
    if want("callsheet"):
        screen.call_sheet(a, root / PD / "Call sheet day 3.docx", day, 3)
    add("callsheet", "Call sheet - shoot day 3", [f"{PD}/Call sheet day 3.docx"], "K5 K10 S1 S3 S6 S9", day,
        "Call sheet I issued for a location day with boat work.", location="page 1")
    if "superseded" in extra:
        screen.call_sheet(a, root / PD / "Call sheet day 3 v1 (superseded).docx", day - timedelta(days=1), 3, "08:00")
    day += timedelta(days=4)
    if want("photos"):
        for number, labels in enumerate([["Unit base", "Kit van", "Welfare tent"], ["Camera position", "Safe zone 2 m"],
                                         ["Rushes station", "Power"]], start=1):
            screen.site_photo(a, root / PR / f"Unit base photo {number}.jpg", a.at(day, 8 + number, 14),
                              labels, seed=seed * 10 + number)
        screen.photo_notes(a, root / PR / "Unit base photos - notes.docx", day)
    add("photos", "Annotated photos - unit base and kit layout",
        [f"{PR}/Unit base photo {n}.jpg" for n in (1, 2, 3)] + [f"{PR}/Unit base photos - notes.docx"], "K5 K11 S5", day,
        "Photos I took and annotated to brief crew on the unit base layout and safe zones.")
    day += timedelta(days=12)
    if want("travel"):
        screen.travel_plan(a, root / PD / "Travel plan - Ireland pick-ups.docx", day)
    add("travel", "Travel and accommodation plan - Ireland", [f"{PD}/Travel plan - Ireland pick-ups.docx"], "K10 S6", day,
        "Travel, documents and liaison for a shoot abroad.")
    day += timedelta(days=8)
    if want("releases"):
        # Sample 3's office saves personal data with 'Encrypt with password'; the assessor cannot open it.
        screen.release_forms(a, root / CC / "Contributor release forms.pdf", day,
                             password=f"{a.employer.split()[0]}2025" if encrypt_releases else None)
    add("releases", "Contributor release forms", [f"{CC}/Contributor release forms.pdf"], "K12 K15 K21", day,
        "Releases I obtained on the day, stored under the data policy.")
    day += timedelta(days=10)
    if want("licence"):
        screen.licence_emails(a, root / CC / "Archive licence emails.pdf", day)
    add("licence", "Archive footage licence - email thread", [f"{CC}/Archive licence emails.pdf"], "K13 K19 K20 K21 S19", day,
        "Negotiating terms with an archive as the production's point of contact.")
    day += timedelta(days=6)
    if want("music"):
        screen.music_cue_sheet(a, root / CC / "Music cue sheet ep1.xlsx", day)
    add("music", "Music cue sheet and clearances - episode 1", [f"{CC}/Music cue sheet ep1.xlsx"], "K19 K20 S18 S19", day,
        "Sources and rights of every music cue, and the one we replaced.")
    day += timedelta(days=9)
    if want("deck"):
        movie = None
        if deck_movie:
            movie = writers.clip(cache.folder / f"deck-{seed}.mp4", deck_movie, cache, pattern=4, tone=330)
        picture = screen.site_photo(a, cache.folder / f"deck-{seed}.jpg", a.at(day, 8), ["Schedule wall"], seed=seed + 99)
        screen.meeting_deck(a, root / PR / "Production meeting deck.pptx", day, picture=None if movie else picture,
                            movie=movie, poster=picture if movie else None)
    add("deck", "Production meeting presentation (with speaker notes)", [f"{PR}/Production meeting deck.pptx"],
        "K1 K9 K13 S7 S13", day, "Deck I presented at the weekly production meeting; my notes explain each decision.",
        location="slides 2-5")
    day += timedelta(days=7)
    if want("costs"):
        screen.cost_report(a, root / PR / "Cost report week 6.xlsx", day)
    add("costs", "Cost report week 6", [f"{PR}/Cost report week 6.xlsx"], "K6 K8 S5", day,
        "Reconciled and coded spend against budget lines.")
    day += timedelta(days=14)
    if want("video1"):
        writers.clip(root / AV / "Video 1 - call sheet and daily progress report.mp4", videos[0], cache, pattern=seed,
                     presenter=presenter)
    add("video1", "Video - talking through the call sheet and daily progress report",
        [f"{AV}/Video 1 - call sheet and daily progress report.mp4"], "K4 K13 S7 S9", day,
        "I explain to camera how I build the call sheet and report progress to the team.",
        location=f"00:30-{_stamp(videos[0])}")
    day += timedelta(days=5)
    if want("video2"):
        writers.clip(root / AV / "Video 2 - location recce walkthrough.mp4", videos[1], cache, pattern=seed + 1, tone=260,
                     presenter=presenter)
    add("video2", "Video - location recce walkthrough", [f"{AV}/Video 2 - location recce walkthrough.mp4"],
        "K5 K10 K11", day, "Recorded on the recce: access, hazards, power and parking.")
    day += timedelta(days=6)
    if want("audio") and audio:
        writers.clip(root / AV / "Audio - skipper briefing call.m4a", audio, cache, kind="audio", tone=180)
    if audio:
        add("audio", "Audio - briefing the skipper before filming on board", [f"{AV}/Audio - skipper briefing call.m4a"],
            "K13 S1 S7", day, "Call recorded with consent: filming plan, safety and what we need from the crew.")
    day += timedelta(days=10)
    if want("data"):
        screen.data_handling(a, root / CC / "Data and confidentiality checklist.docx", day)
    add("data", "Contributor data and confidentiality checklist", [f"{CC}/Data and confidentiality checklist.docx"],
        "K12 K15 B4", day, "How I keep personal data and unreleased material secure.")
    day += timedelta(days=12)
    if want("handover"):
        screen.deliverables_pack(a, root / PR / "Post handover pack ep1.docx", day)
    add("handover", "Handover pack to post-production", [f"{PR}/Post handover pack ep1.docx"], "K22 S7 S20", day,
        "Paperwork I handed to the edit: releases, licences, reports.")
    day += timedelta(days=9)
    if want("witness"):
        screen.witness_statement(a, root / DEV / f"Witness statement - {a.colleague}.docx", day, a.colleague, a.colleague_role,
                                 screen.production_witness_account(a))
    add("witness", f"Witness statement - {a.colleague}, {a.colleague_role}", [f"{DEV}/Witness statement - {a.colleague}.docx"],
        "B1 B3 S1 S9 S13", day, "What the line producer saw me do on the series.", witness=f"{a.colleague}, {a.colleague_role}")
    day += timedelta(days=8)
    if want("video3"):
        writers.clip(root / AV / "Video 3 - reflective account CPD.mp4", videos[2], cache, pattern=seed + 2, tone=200,
                     presenter=presenter)
    add("video3", "Video - reflective account on CPD and new tools", [f"{AV}/Video 3 - reflective account CPD.mp4"],
        "B3 K14 S14", day, "How training and new scheduling tools changed my work.")
    day += timedelta(days=4)
    if want("cpd"):
        screen.cpd_log(a, root / DEV / "CPD log.pdf", day)
    add("cpd", "CPD log with reflection", [f"{DEV}/CPD log.pdf"], "B3 K14 S14 S17", day,
        "Training and industry events with what I applied.")
    day += timedelta(days=3)
    if want("cv"):
        screen.profile(a, root / DEV / f"{a.name} CV.pdf", day,
                       [f"{a.production} - junior production coordinator ({a.employer})",
                        "Harbour Lives (pilot) - production runner", "Short film 'Salt' - production assistant"])
    add("cv", "CV and professional profile", [f"{DEV}/{a.name} CV.pdf"], "S17", day,
        "How I promote my skills: CV, credits and online profile.")
    return pieces


def production_coordinator_ready(out: Path, cache: ClipCache) -> None:
    """Sample 1: a folder, CSV list manifest, portfolio.yaml, 19 pieces, 8 min 45 s of video: ready."""
    a, root = PRIYA, out / "ST0792-production-coordinator-ready"
    pieces = production_pieces(a, root, cache, videos=(250.0, 165.0, 110.0), skip=frozenset({"handover"}), seed=0,
                               presenter=0)
    manifests.list_csv(root / "KSB mapping.csv", pieces)
    # The pre-Gateway details the catalogue asks for, so the ready sample passes that line too.
    manifests.details_yaml(root / "portfolio.yaml", a, [
        ("english", "achieved (GCSE grade 6, 2021)"), ("maths", "achieved (Functional Skills Level 2, 2023)"),
        ("declaration_signed", (a.gateway - timedelta(days=10)).isoformat()), ("reasonable_adjustments", "none")])
    screen.declaration(a, root / "Declaration of authenticity.docx", a.gateway - timedelta(days=10))


def not_ready(out: Path, cache: ClipCache) -> None:
    """Sample 3: 17 pieces, 10 min 30 s of video (70 s embedded in the deck), no declaration, two KSBs
    unmapped, a password-protected PDF and an old call sheet no piece refers to."""
    a, root = CALLUM, out / "ST0792-not-ready"
    pieces = production_pieces(a, root, cache, videos=(360.0, 200.0, 0.0), deck_movie=70.0, encrypt_releases=True,
                               skip=frozenset({"music", "data", "video3"}), extra=frozenset({"superseded"}), seed=3,
                               first=date(2025, 4, 7))
    # One generously mapped piece, as assessors see too often: the CV claimed for six KSBs it barely shows.
    pieces = [replace(p, codes=("S17", "K3", "K13", "B1", "B2", "S12")) if p.title.startswith("CV") else p
              for p in pieces]
    manifests.list_xlsx(root / "Callum Reid - KSB mapping.xlsx", pieces, a)


def post_production_ready(out: Path, cache: ClipCache) -> None:
    """Sample 2: a SharePoint-style zip (one top folder), Excel grid manifest with a Portfolio sheet,
    post production coordinator option, 18 pieces: ready."""
    a = TOM
    with tempfile.TemporaryDirectory(prefix="sample-post-") as work:
        root = Path(work)
        pieces = post_pieces(a, root, cache, presenter=1)
        codes = sorted({c for p in pieces for c in p.codes}, key=lambda c: ("KSB".index(c[0]), int(c[1:])))
        manifests.grid_xlsx(root / "Evidence mapping grid.xlsx", pieces, a, codes)
        screen.declaration(a, root / "Signed declaration.docx", a.gateway - timedelta(days=7))
        writers.zip_folder(root, out / "ST0792-post-production-ready.zip", top=f"Portfolio of evidence - {a.name}")


def post_pieces(a: Apprentice, root: Path, cache: ClipCache, *, videos: tuple[float, float] = (200.0, 100.0),
                seed: int = 1, presenter: int | None = None) -> list[Piece]:
    """A post production coordinator's portfolio: 18 pieces, files named plainly in the manifest."""
    day = date(2025, 2, 3)
    made: list[Piece] = []

    def piece(title: str, files: list[str], codes: str, description: str, gap: int = 12, **more: str) -> None:
        nonlocal day
        made.append(Piece(title, tuple(files), tuple(codes.split()), day, description, **more))
        day += timedelta(days=gap)

    screen.post_schedule(a, root / "Post schedule and suite bookings.xlsx", day)
    piece("Post schedule and suite bookings", ["Post schedule and suite bookings.xlsx"], "K9 K24 K25 S8 S9",
          "The four-episode post schedule and weekly suite plan I keep.")
    screen.workflow_plan(a, root / "Workflow and resources plan.docx", day)
    piece("Workflow and resources plan - UHD HDR v HD", ["Workflow and resources plan.docx"], "K5 K24 S1",
          "How the deliverables changed the storage, suites and crew we needed.")
    screen.vendor_bookings(a, root / "Freelancer and vendor bookings.xlsx", day)
    piece("Freelancer and vendor bookings", ["Freelancer and vendor bookings.xlsx"], "K7 S4 S5",
          "Freelance editors, a VFX vendor and drive stock I researched and booked.")
    screen.turnover_log(a, root / "Turnover and ingest log.xlsx", day)
    piece("Turnover and ingest log", ["Turnover and ingest log.xlsx"], "K25 K28 K29",
          "Editorial turnover for the online and the rushes ingest log.")
    screen.review_notes(a, root / "Client review notes ep1.docx", day)
    piece("Client review session notes - episode 1", ["Client review notes ep1.docx"], "K13 K26 S7 S22",
          "Review I coordinated with the client; notes circulated the same hour.")
    screen.vfx_tracker(a, root / "VFX shot tracker.xlsx", day)
    piece("VFX shot tracker", ["VFX shot tracker.xlsx"], "K24 S9 S21", "Shots, versions and vendor deadlines.")
    screen.machine_room_risk(a, root / "Risk assessment - review sessions.docx", day)
    piece("Risk assessment - review sessions and machine room", ["Risk assessment - review sessions.docx"], "K11 K12 S15",
          "Hazards for visitors and staff, and the controls.")
    screen.security_checklist(a, root / "Content security checklist.docx", day)
    piece("Content security checklist", ["Content security checklist.docx"], "B4 K12 K15 S11",
          "Weekly checks on unreleased content under the commissioner's security terms.")
    screen.courier_plan(a, root / "Drive hand-carry travel note.docx", day)
    piece("Travel note - hand-carrying master drives to Paris", ["Drive hand-carry travel note.docx"], "K10 S6",
          "Travel and the documents needed to take drives abroad.")
    screen.post_deck(a, root / "Post production meeting.pptx", day)
    piece("Post production meeting presentation (speaker notes)", ["Post production meeting.pptx"], "K1 K9 K13 K27",
          "Where each episode is in post and what the grade slip means for delivery.", location="slides 2-4")
    screen.delivery_schedule(a, root / "Delivery schedule.docx", day)
    piece("Delivery schedule", ["Delivery schedule.docx"], "K28 K29 S7 S23", "Every deliverable, its specification and status.")
    screen.qc_report(a, root / "QC report ep1.pdf", day)
    piece("QC report and fixes - episode 1", ["QC report ep1.pdf"], "K28 S7 S23", "QC notes I chased to a pass.")
    for number, labels in enumerate([["Drive shelf", "Labels: show / ep / copy"], ["Machine room", "Access by staff only"]], 1):
        writers.jpeg(root / f"Drive vault photo {number}.jpg",
                     writers.Photo(backdrop=((70, 75, 85), (50, 50, 55)), seed=seed * 10 + number, labels=labels,
                                   objects=[("box", (20, 20, 25)), ("box", (200, 120, 0)), ("box", (20, 20, 25))],
                                   camera=("Apple", "iPhone 14")), a.at(day, 11, number))
    piece("Annotated photos - drive vault and machine room", ["Drive vault photo 1.jpg", "Drive vault photo 2.jpg"],
          "K11 S5 S15", "How drives are labelled, logged and stored.")
    writers.clip(root / "Screen recording - delivery tracker walkthrough.mp4", videos[0], cache, pattern=seed + 3,
                 presenter=presenter)
    piece("Video - delivery tracker walkthrough", ["Screen recording - delivery tracker walkthrough.mp4"],
          "K25 K29 S23", "I talk through how I track deliverables to the commissioner.", location=f"00:00-{_stamp(videos[0])}")
    screen.witness_statement(a, root / f"Witness statement - {a.colleague}.docx", day, a.colleague, a.colleague_role,
                             screen.post_witness_account(a))
    piece(f"Witness statement - {a.colleague}, {a.colleague_role}", [f"Witness statement - {a.colleague}.docx"],
          "B1 B3 S1 S9 S23", "What the post producer saw me do.", witness=f"{a.colleague}, {a.colleague_role}")
    writers.clip(root / "Reflective account - CPD.mp4", videos[1], cache, pattern=seed + 4, tone=200,
                 presenter=presenter)
    piece("Video - reflective account on CPD", ["Reflective account - CPD.mp4"], "B3 K14 S14",
          "What I learnt about HDR workflows and cloud review tools.")
    screen.cpd_log(a, root / "CPD log.pdf", day)
    piece("CPD log", ["CPD log.pdf"], "B3 K14 S14 S17", "Training and events with reflection.")
    screen.profile(a, root / f"{a.name} CV.pdf", day, [f"{a.production} - junior post production coordinator",
                                                      "Short-form documentary series - post runner"])
    piece("CV and professional profile", [f"{a.name} CV.pdf"], "S17", "How I market my skills.")
    return made


def stage_manager(out: Path, cache: ClipCache) -> None:
    """Sample 4: ST1457, mapped to duties D1 to D11, 13 pieces: ready (the catalogue's assumed rules)."""
    write_stage_portfolio(MAYA, out / "ST1457-assistant-stage-manager", cache, presenter=3)


def write_stage_portfolio(a: Apprentice, root: Path, cache: ClipCache, *, video: float = 150.0, seed: int = 2,
                          presenter: int | None = None) -> None:
    day = date(2025, 10, 6)
    made: list[Piece] = []

    def piece(title: str, files: list[str], duties: str, description: str, gap: int = 6, **more: str) -> None:
        nonlocal day
        made.append(Piece(title, tuple(files), tuple(duties.split()), day, description, **more))
        day += timedelta(days=gap)

    stage.rehearsal_schedule(a, root / "Rehearsals" / "Rehearsal schedule week 1.xlsx", day)
    piece("Rehearsal schedule - week 1", ["Rehearsals/Rehearsal schedule week 1.xlsx"], "D1 D3",
          "Schedule I drew up from the director's plan and the actors' availability.", gap=3)
    stage.rehearsal_report(a, root / "Rehearsals" / "Rehearsal report 4.docx", day, 4)
    piece("Rehearsal report 4", ["Rehearsals/Rehearsal report 4.docx"], "D1 D2 D3", "Daily report to every department.")
    stage.rehearsal_report(a, root / "Rehearsals" / "Rehearsal report 9.docx", day, 9)
    piece("Rehearsal report 9", ["Rehearsals/Rehearsal report 9.docx"], "D1 D8", "Report after the fight call.")
    stage.meeting_minutes(a, root / "Rehearsals" / "Production meeting 3 minutes.docx", day)
    piece("Production meeting 3 - minutes", ["Rehearsals/Production meeting 3 minutes.docx"], "D2 D4 D8",
          "Minutes I took; budget and touring actions.")
    stage.props_list(a, root / "Props" / "Props list and petty cash.xlsx", day)
    piece("Props list and petty cash", ["Props/Props list and petty cash.xlsx"], "D4 D5",
          "Every prop, its source, cost and upkeep; spend against the props budget.")
    for number in (1, 2):
        stage.props_photo(a, root / "Props" / f"Prop table SL {number}.jpg", a.at(day, 18, 40 + number), seed * 10 + number)
    piece("Photos - prop table preset", ["Props/Prop table SL 1.jpg", "Props/Prop table SL 2.jpg"], "D5 D6",
          "Preset photos I use for the pre-show check.")
    stage.prompt_book_pages(a, root / "Prompt book" / "Prompt book Act 3 pages 41-44.pdf", day)
    piece("Prompt book pages - Act 3", ["Prompt book/Prompt book Act 3 pages 41-44.pdf"], "D3 D6",
          "Pages I kept while covering the book in tech week.", location="page 1")
    stage.risk_assessment(a, root / "Compliance" / "Stage management risk assessment.docx", day)
    piece("Stage management risk assessment", ["Compliance/Stage management risk assessment.docx"], "D7 D11",
          "Backstage hazards on tour and the controls.")
    stage.show_report(a, root / "Show reports" / "Show report 12.docx", day, 12, "Theatre Royal, Bury St Edmunds")
    stage.show_report(a, root / "Show reports" / "Show report 27.docx", day + timedelta(days=12), 27, "Malvern Theatres")
    piece("Show reports - performances 12 and 27", ["Show reports/Show report 12.docx", "Show reports/Show report 27.docx"],
          "D3 D6 D7", "Reports I wrote on tour.", gap=14)
    writers.clip(root / "Video" / "Calling the Act 3 storm.mp4", video, cache, pattern=seed + 5, tone=300,
                 presenter=presenter)
    piece("Video - running the Act 3 storm sequence from the prompt desk", ["Video/Calling the Act 3 storm.mp4"],
          "D6 D7", "Filmed by the DSM in a cue-to-cue; I stand by and cue the effects.", location=f"00:10-{_stamp(video)}")
    stage.cpd_record(a, root / "Development" / "CPD record.pdf", day)
    piece("CPD and industry bodies record", ["Development/CPD record.pdf"], "D9", "SMA membership and workshops.")
    stage.freelance_paperwork(a, root / "Development" / "Freelance paperwork.pdf", day)
    piece("Freelance engagement paperwork", ["Development/Freelance paperwork.pdf"], "D10",
          "Contract, invoice and records for a freelance engagement.")
    stage.witness_statement(a, root / "Development" / f"Witness statement - {a.manager}.docx", day)
    piece(f"Witness statement - {a.manager}, {a.manager_role}", [f"Development/Witness statement - {a.manager}.docx"],
          "D1 D2 D5 D11", "What the company stage manager saw me do.", witness=f"{a.manager}, {a.manager_role}")
    manifests.list_xlsx(root / "Duty mapping.xlsx", made, a, label="Duties", with_details=False)
    manifests.details_yaml(root / "portfolio.yaml", a)
    stage.declaration(a, root / "Declaration.docx", a.gateway - timedelta(days=14))


# --- the export holding several apprentices ------------------------------------------------------

AISHA = replace(PRIYA, name="Aisha Rahman", uln="9273610489", employer="Fivefold Media Ltd", manager="Dominic Shaw",
                production="Market Day", production_kind="a daytime factual series filmed in Britain's markets",
                colleague="Kerry Walsh", colleague_role="Series Producer", town="Bury", region="the North West",
                hospital="Fairfield General Hospital, Bury BL9 7TD (10 minutes)", start=date(2024, 9, 2),
                gateway=date(2026, 3, 2))
BEN = replace(PRIYA, name="Ben Carter", uln="3382057165", employer="Greenhouse Factual Ltd", manager="Sophie Allen",
              production="Island Vets", production_kind="an observational series on Orkney", colleague="Rob Hendry",
              colleague_role="Line Producer", town="Kirkwall", region="Scotland",
              hospital="The Balfour, Kirkwall KW15 1NZ (5 minutes)")
CHLOE = replace(TOM, name="Chloe Nguyen", uln="4518703927", employer="Nightjar Post Ltd", manager="Marcus Bell",
                production="Hollow Hills", colleague="Asha Patel", colleague_role="Post Supervisor")
DANIEL = replace(PRIYA, name="Daniel Hughes", uln="6028173494", employer="Fivefold Media Ltd", manager="Dominic Shaw",
                 production="Market Day", colleague="Kerry Walsh", colleague_role="Series Producer", town="Bury",
                 region="the North West", hospital="Fairfield General Hospital, Bury BL9 7TD (10 minutes)")
#: Her ULN was mistyped in the provider's system (the check digit is wrong): a warning, not an error.
ELLIE = replace(MAYA, name="Ellie Marsh", uln="6119382570", colleague="Jo Pike")


def sharepoint_export(out: Path, cache: ClipCache) -> None:
    """Sample 5: an export folder with five apprentices' portfolios, named '<Name> <ULN>', one a zip."""
    export = out / "sharepoint-export"
    writers.text_file(export / "desktop.ini", "[.ShellClassInfo]\r\nIconResource=C:\\Windows\\System32\\imageres.dll,-1023\r\n")

    def production(a: Apprentice, seed: int, **options: object) -> tuple[Path, list[Piece]]:
        root = export / f"{a.name} {a.uln}"
        pieces = production_pieces(a, root, cache, videos=(75.0, 45.0, 30.0), audio=None, seed=seed,
                                   skip=frozenset({"handover"}), presenter=seed, **options)  # type: ignore[arg-type]
        return root, pieces

    root, pieces = production(AISHA, 4)
    manifests.list_csv(root / "KSB mapping.csv", pieces)
    screen.declaration(AISHA, root / "Declaration.docx", AISHA.gateway - timedelta(days=5))

    # The employer has not signed yet: the statement is there but incomplete.
    root, pieces = production(BEN, 5)
    manifests.list_csv(root / "KSB mapping.csv", pieces)
    screen.declaration(BEN, root / "Declaration.docx", BEN.gateway - timedelta(days=5), employer_signs=False)
    writers.text_file(root / ".DS_Store", "\x00\x00\x00\x01Bud1" + "\x00" * 26)

    # The risk assessment was never uploaded, and it was the only piece for S11 and S15.
    root, pieces = production(DANIEL, 6)
    (root / PD / "RA-014 harbour and boat work.docx").unlink()
    manifests.list_csv(root / "KSB mapping.csv", pieces)
    screen.declaration(DANIEL, root / "Declaration.docx", DANIEL.gateway - timedelta(days=5))
    writers.text_file(root / "desktop.ini", "[LocalizedFileNames]\r\n")

    with tempfile.TemporaryDirectory(prefix="sample-chloe-") as work:
        root = Path(work)
        pieces = post_pieces(CHLOE, root, cache, videos=(60.0, 40.0), seed=7, presenter=2)
        codes = sorted({c for p in pieces for c in p.codes}, key=lambda c: ("KSB".index(c[0]), int(c[1:])))
        manifests.grid_xlsx(root / "Evidence mapping grid.xlsx", pieces, CHLOE, codes)
        screen.declaration(CHLOE, root / "Declaration.docx", CHLOE.gateway - timedelta(days=5))
        writers.zip_folder(root, export / f"{CHLOE.name} {CHLOE.uln}.zip", top=f"{CHLOE.name} {CHLOE.uln}")

    write_stage_portfolio(ELLIE, export / f"{ELLIE.name} {ELLIE.uln}", cache, video=40.0, seed=8, presenter=0)


SAMPLES = {
    "ST0792-production-coordinator-ready": production_coordinator_ready,
    "ST0792-post-production-ready.zip": post_production_ready,
    "ST0792-not-ready": not_ready,
    "ST1457-assistant-stage-manager": stage_manager,
    "sharepoint-export": sharepoint_export,
}


def build_all(out: Path) -> list[Path]:
    """Write every sample under ``out``, replacing what was there; returns their paths."""
    cache = ClipCache()
    try:
        for name in SAMPLES:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        # Each sample writes only its own files, so they are built side by side: ffmpeg encodes
        # while Python writes documents. The bytes do not depend on the order.
        with ThreadPoolExecutor(max_workers=len(SAMPLES)) as pool:
            for done in [pool.submit(build, out, cache) for build in SAMPLES.values()]:
                done.result()
        return [out / name for name in SAMPLES]
    finally:
        cache.close()

