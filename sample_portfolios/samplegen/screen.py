"""Evidence a junior production coordinator (ST0792) produces: call sheets, schedules, risk assessments...

Each function writes one file about the apprentice's production and returns its path. The text is
what the workplace document would say; the KSBs it evidences are given by the manifest, not here.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from samplegen import writers
from samplegen.people import Apprentice
from samplegen.writers import Photo, Sheet, Slide


def _long(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _header(a: Apprentice) -> str:
    return f"{a.employer}  |  {a.production}  |  CONFIDENTIAL - production use only"


# --- production coordinator option ----------------------------------------------------------------

def call_sheet(a: Apprentice, path: Path, day: date, shoot_day: int, unit_call: str = "07:30") -> Path:
    blocks = [
        ("h1", f"CALL SHEET - {a.production} - Shoot day {shoot_day} of 12"),
        ("fields", [("Date", _long(day)), ("Unit call", unit_call), ("Location", a.location),
                    ("Unit base", f"{a.town} harbour car park (north end), permit displayed in all unit vehicles"),
                    ("Sunrise / sunset", "07:52 / 16:31"), ("Weather", "Dry, 9 C, wind SW 15 mph gusting 25"),
                    ("Production contact", f"{a.name}, Junior Production Coordinator, 07700 900412"),
                    ("Production manager", f"{a.manager}, 07700 900187")]),
        ("h2", "Schedule"),
        ("table", [["Time", "Item", "Who", "Notes"],
                   [unit_call, "Unit call, breakfast at base", "All crew", "Hot breakfast from 07:00, bring your own cup"],
                   ["08:15", "Safety briefing on the quay", "All crew, harbour master", "Hi-vis and boots on the quay at all times"],
                   ["08:45", "Sc 14: fish market opening (observational)", "Director, camera, sound", "No filming of buyers who have not signed"],
                   ["11:00", "Sc 15: interview - harbour master", "Contributor 3", "Release form signed on the day (coordinator)"],
                   ["13:00", "Lunch", "All", "Vegetarian and vegan options, numbers to caterer by 10:00"],
                   ["14:00", "Sc 16: boat to sea - trawler 'Girl Pat'", "Director, camera op, skipper", "Lifejackets issued by skipper, max 4 crew on board"],
                   ["16:15", "Wrap at base, rushes handed to DIT", "Camera, DIT", "Two copies before cards are cleared"]]),
        ("h2", "Crew calls"),
        ("table", [["Role", "Name", "Call", "Travel"],
                   ["Series director", "Owen Pryce", unit_call, "Unit car 1 from hotel 06:50"],
                   ["Camera operator", "Lena Brooks", unit_call, "Own vehicle, parking permit 2"],
                   ["Sound recordist", "Kwame Asante", unit_call, "Unit car 1"],
                   ["DIT / runner", "Josh Avery", "07:00", "Unit van, loads kit from hotel"],
                   ["Junior production coordinator", a.name, "06:45", "Unit van"]]),
        ("h2", "Production notes"),
        ("bullets", [*([f"Changes in version 2: unit call brought forward from 08:00 to {unit_call} and the boat "
                        "scene moved to 14:00, because the harbour master changed the trawler's landing time. I rang "
                        "every crew member and the skipper on Tuesday evening and each confirmed by text."]
                       if unit_call != "08:00" else []),
                     "Today's priority is Sc 16: the trawler only sails on this tide, so it has to be on time. If "
                     "the morning runs late, Sc 15 is dropped first and picked up on day 5; the boat scene is not moved.",
                     "Weather cover: if the swell is over 1.5 m at 13:00, the skipper and director call off the boat "
                     "scene and we film the net loft interview (Sc 17) instead; the boat goes to day 5.",
                     "Kit: a small observational unit of five with one camera kit and a waterproof housing for the "
                     "boat. No lighting on the quay; one LED panel for the interview. Rushes are copied at base "
                     "before cards are cleared."]),
        ("h2", "Travel and passes"),
        ("bullets", ["Unit van leaves the Berry Head Hotel at 06:50; unit car 1 at 06:50. Parking permits 1-3 on "
                     "dashboards; the harbour car park is pay-and-display for everyone else.",
                     "Bring photo ID: the harbour office checks it before issuing fish quay passes.",
                     "The skipper needs each person's name and an emergency contact for his crew list before we "
                     "board; I have sent him ours."]),
        ("h2", "Safety and welfare"),
        ("bullets", [f"Nearest A&E: {a.hospital}.",
                     "First aider on unit: Josh Avery. First aid kit and defibrillator in the harbour office.",
                     "Risk assessment RA-014 (harbour and boat work) has been read and signed by all crew; copies in the unit van.",
                     "Sustainability: no single-use plastic on unit; water refill at base; car share from the hotel."]),
        ("small", f"Issued by {a.name} on {(day - timedelta(days=1)):%d/%m/%Y} 17:30. Version 2 supersedes all previous versions."),
    ]
    return writers.docx(path, blocks, title=f"Call sheet day {shoot_day}", author=a.name,
                        created=a.at(day - timedelta(days=1), 17, 30), header=_header(a))


def production_schedule(a: Apprentice, path: Path, day: date) -> Path:
    weeks = []
    for number, (what, note) in enumerate([
            ("Prep: recces, contributor calls, permissions", "Harbour master permission letter requested"),
            (f"Shoot block 1: {a.town} (days 1-5)", "Tide times checked against boat scenes"),
            ("Shoot block 2: Peterhead (days 6-9)", "Hotel booked, kit van hired"),
            ("Pick-ups and archive research", "Archive licences to be agreed before fine cut"),
            ("Offline edit ep 1-2", "Rushes logged, transcripts ordered"),
            ("Shoot block 3: Whitby (days 10-12)", "Moved one week later: storm forecast"),
    ], start=1):
        weeks.append([f"Week {number}", (day + timedelta(weeks=number - 1)).strftime("%d/%m/%Y"), what, note])
    blocks = [
        ("h1", f"Production schedule - {a.production}"),
        ("p", f"Version 4, updated by {a.name} after the production meeting of {day:%d %B %Y}. Changes from "
              "version 3 are marked; please read the notes column."),
        ("h2", "How the series shapes this schedule"),
        ("p", f"{a.production} is {a.production_kind}. Each episode follows one harbour through a working week and "
              "builds to one big day (the market, a trip to sea, the lifeboat exercise), so the blocks are planned "
              "around the contributors' real working days and the tides, not around the shortest route between "
              "locations. The series producer's brief is observational: we do not stage scenes, so when the "
              "weather or a contributor's day changes, the block moves rather than the story."),
        ("table", [["Week", "Week commencing", "Activity", "Notes"], *weeks]),
        ("h2", "Changes in this version"),
        ("bullets", ["Whitby block moved back one week after the Met Office storm warning; crew and hotel re-confirmed.",
                     "Archive research moved forward so that licences are agreed before the fine cut.",
                     "Episode 2 delivery date unchanged: the edit absorbs the delay."]),
        ("h2", "My priorities this week"),
        ("numbered", ["Urgent: re-confirm the Whitby crew and the hotel for the new dates. The hotel's free "
                      "cancellation deadline is Wednesday, so I did this first thing on Monday.",
                      "Chase the Whitby harbour master's permission letter: the insurers will not confirm cover "
                      "for the boat days without it.",
                      "Order transcripts for episode 1 so the edit producer is not held up at the start of the offline.",
                      "Block 2 kit returns and the petty cash reconciliation can wait until Friday."]),
        ("p", "Distribution: series producer, production manager, series director, edit producer, post supervisor."),
    ]
    return writers.docx(path, blocks, title="Production schedule v4", author=a.name, created=a.at(day, 16),
                        header=_header(a))


def risk_assessment(a: Apprentice, path: Path, day: date, site: str = "harbour and boat work") -> Path:
    blocks = [
        ("h1", f"Risk assessment RA-014 - {site}"),
        ("fields", [("Production", a.production), ("Location", a.location), ("Dates", f"Shoot days 1-5 from {day:%d/%m/%Y}"),
                    ("Prepared by", f"{a.name} (Junior Production Coordinator)"),
                    ("Reviewed by", f"{a.manager} ({a.manager_role})"), ("Review date", (day + timedelta(days=2)).strftime("%d/%m/%Y"))]),
        ("table", [["Hazard", "Who is at risk", "Controls", "Risk (L x S)", "Residual"],
                   ["Falling from the quay into water", "Crew, contributors", "Work 2 m from unguarded edges; lifebuoy located; lifejackets near edges", "3 x 5", "Low"],
                   ["Working on a moving vessel", "Camera op, director", "Skipper briefing; lifejackets; max 4 crew; no filming in swell over 1.5 m", "3 x 4", "Low"],
                   ["Slips on wet and fish-covered surfaces", "All", "Safety boots; wet-weather gear; keep cable runs taped", "4 x 2", "Low"],
                   ["Manual handling of kit", "Crew", "Trolleys; two-person lifts for cases over 20 kg", "3 x 2", "Low"],
                   ["Cold and wet weather", "All", "Warm base, hot drinks, rotation of outdoor crew", "3 x 2", "Low"],
                   ["Members of the public in shot", "Public", "Notices at the market; no filming of people who ask not to be filmed", "2 x 2", "Low"]]),
        ("h2", "Permissions, insurance and legal checks"),
        ("p", "I made these checks before the block and keep the copies in the production's compliance folder. "
              "Nothing is filmed on the water until each line reads 'in place'."),
        ("table", [["Check", "Detail", "Status"],
                   ["Filming permission", f"{a.town} Harbour Authority permit; conditions: no drones, hi-vis on the "
                    "quay, no filming inside the fish market before 08:30", "In place, letter in the unit van"],
                   ["Vessel", "Skipper's small commercial vessel certificate and passenger insurance, in date until "
                    "03/2026; copy on file", "In place"],
                   ["Production insurance", "Public liability GBP 10m; boat work declared to the insurers in writing",
                    "In place"],
                   ["Crew sign-off", "5 of 5 crew signed this assessment; Lena Brooks joined late and signed on the "
                    "first morning after I chased her", "Complete"],
                   ["Public and contributors", "Consent asked before anyone is filmed close up; buyers who say no "
                    "are not filmed, as the broadcaster's fairness guidelines require", "Briefed at 08:15"],
                   ["Aerial filming", "Not planned: it would need a licensed drone operator and a flight permission",
                    "n/a"]]),
        ("h2", "Emergency arrangements"),
        ("bullets", ["Call 999 and ask for the Coastguard for any person in the water.",
                     "Harbour office (first aid kit and defibrillator) is 100 m from the fish market.",
                     "Incidents are reported to the production manager the same day and recorded in the accident book."]),
        ("p", "Crew confirm they have read this assessment by signing the sheet kept in the unit van."),
    ]
    return writers.docx(path, blocks, title="Risk assessment RA-014", author=a.name, created=a.at(day, 11),
                        header=_header(a))


def bookings_tracker(a: Apprentice, path: Path, day: date) -> Path:
    rows = [["Ref", "Supplier", "Booked", "From", "To", "PO number", "Cost (GBP)", "Status", "Notes"],
            ["K01", "Westcountry Camera Hire", "FX6 kit, 2 x lenses, 4 x batteries", "03/11/2025", "14/11/2025", "PO-2291", 2340, "Confirmed", "Insurance certificate on file"],
            ["K02", "Soundkit South West", "Radio mics x 3, mixer", "03/11/2025", "14/11/2025", "PO-2292", 860, "Confirmed", ""],
            ["K03", "Bristol Van Hire", "LWB van", "02/11/2025", "15/11/2025", "PO-2293", 710, "Confirmed", "Driver: Josh Avery"],
            ["C01", "Owen Pryce", "Series director", "27/10/2025", "19/12/2025", "PO-2280", 9600, "Contracted", "Deal memo signed"],
            ["C02", "Lena Brooks", "Camera operator", "03/11/2025", "14/11/2025", "PO-2294", 4400, "Contracted", ""],
            ["C03", "Kwame Asante", "Sound recordist", "03/11/2025", "14/11/2025", "PO-2295", 3600, "Contracted", ""],
            ["L01", f"{a.town} Harbour Authority", "Filming permission and parking", "03/11/2025", "07/11/2025", "PO-2296", 450, "Invoiced", "Permit letter received"],
            ["A01", "Berry Head Hotel", "5 rooms x 5 nights", "02/11/2025", "07/11/2025", "PO-2297", 2375, "Paid", "Dietary needs passed on"]]
    research = [["Need", "Who I asked", "Quotes / rates", "Chosen and why"],
                ["Camera kit, 2 weeks", "Westcountry Camera Hire; Bristol Broadcast Hire; ProLens Exeter",
                 "GBP 2,340 / 2,600 / 2,150", "Westcountry: ProLens could not promise a spare body, and Westcountry "
                 "will courier one to the harbour within three hours"],
                ["Sound recordist", "Series 1 crew list; two names recommended by the line producer; crew database",
                 "Day rates GBP 300-360", "Kwame Asante: free for all ten days and has filmed at sea before"],
                ["Camera operator", "Three freelancers from the series director's shortlist", "Day rates GBP 380-420",
                 "Lena Brooks: only one with waterproof housing experience; available from day 2 only, so the "
                 "director covers day 1"],
                ["Hotel, 5 rooms", "Three hotels within 10 minutes of the harbour", "GBP 95 / 110 / 120 a night",
                 "Berry Head Hotel: cheapest, free parking for the van, breakfast from 06:00"],
                ["Contributors", "Harbour master's suggestions; fish market noticeboard; local Facebook group",
                 "n/a", "Four contributors phoned and met on the recce; two agreed to be filmed"]]
    usage = [["Item", "Issued", "Returned", "Condition", "Checked by"],
             ["FX6 body", "03/11/2025", "14/11/2025", "Good", a.initials],
             ["Battery BP-U70 x 4", "03/11/2025", "14/11/2025", "1 faulty - reported to hire company", a.initials],
             ["Radio mic 2", "03/11/2025", "12/11/2025", "Lost clip - replaced, cost to production", a.initials]]
    return writers.xlsx(path, [Sheet("Bookings", rows, (6, 28, 34, 12, 12, 11, 11, 12, 30)),
                               Sheet("Supplier research", research, (20, 44, 24, 60)),
                               Sheet("Kit check-out", usage, (22, 12, 12, 38, 12))],
                        title="Crew and kit bookings", author=a.name, created=a.at(day, 15))


def travel_plan(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Travel and accommodation plan - Ireland pick-up shoot"),
        ("p", f"Prepared by {a.name} for the two-day pick-up shoot in Dún Laoghaire harbour, "
              f"{(day + timedelta(days=21)):%d} to {(day + timedelta(days=22)):%d %B %Y}."),
        ("table", [["Who", "Outbound", "Return", "Accommodation"],
                   ["Owen Pryce, Lena Brooks", "Ferry Holyhead - Dublin 08:55, unit car", "Ferry Dublin - Holyhead 14:30", "Harbour View Guesthouse, 2 nights"],
                   ["Kwame Asante", "Flight BRS - DUB 07:10", "Flight DUB - BRS 19:40", "Harbour View Guesthouse, 2 nights"]]),
        ("h2", "Documents needed"),
        ("bullets", ["Passport or photo ID for all crew (Common Travel Area: no visa needed for UK and Irish citizens).",
                     "Kit list with serial numbers for customs, and an ATA carnet for the camera kit in case of onward travel.",
                     "Production insurance certificate covering Ireland; hire company's letter allowing the kit abroad.",
                     "Filming permission from Dún Laoghaire Harbour Company (requested; reference DLH-5520).",
                     "Crew emergency contacts and GHIC cards; the production's 24-hour contact number."]),
        ("h2", "Liaison"),
        ("p", "Hire company, insurers and the post team have been told the kit's dates abroad; rushes will travel back "
              "with the DIT on two drives kept in separate bags."),
    ]
    return writers.docx(path, blocks, title="Travel plan - Ireland", author=a.name, created=a.at(day, 14),
                        header=_header(a))


def music_cue_sheet(a: Apprentice, path: Path, day: date) -> Path:
    rows = [["Ep", "Cue", "In", "Out", "Duration", "Title", "Composer", "Publisher / label", "Use", "Source", "Status"],
            [1, "1M1", "00:00:12", "00:01:02", "00:50", "Harbour Light", "A. Kerr", "Audio Network", "BI", "Library (blanket licence)", "Cleared"],
            [1, "1M2", "00:07:40", "00:08:15", "00:35", "Early Tide", "M. Sato", "Audio Network", "BI", "Library (blanket licence)", "Cleared"],
            [1, "1M3", "00:14:05", "00:14:45", "00:40", "Sea Shanty (trad., arr. crew)", "Traditional", "n/a", "BV", "Recorded on location", "Release held"],
            [1, "1M4", "00:21:30", "00:22:40", "01:10", "Northern Waters", "J. Hale", "Universal Production Music", "BI", "Library", "Cleared"],
            [1, "1M5", "00:27:10", "00:27:55", "00:45", "Radio in the wheelhouse", "Unknown", "Commercial track", "BV", "Incidental", "Replaced - not clearable"]]
    notes = [["Note"],
             ["Commercial track heard on the trawler's radio (1M5) could not be cleared in time; replaced with a library cue and the edit told."],
             ["Library cues reported to the broadcaster on the PasB music reporting form with the final cue sheet."],
             ["Traditional song: performers signed contributor releases; arrangement credited to the crew of the Girl Pat."]]
    clearances = [["Cue", "Rights holders", "Who I contacted", "What we asked for", "Terms they gave", "Outcome"],
                  ["1M1, 1M2", "Audio Network (composition and recording)", "Their licensing desk, by email",
                   "UK TV, VOD, 5 years; worldwide promotional clips",
                   "Covered by the broadcaster's blanket licence; confirmed in writing 12/05", "Cleared"],
                  ["1M4", "Universal Production Music", "Their licensing desk, by email", "As above",
                   "Blanket licence covers it; reporting on the cue sheet only", "Cleared"],
                  ["1M3", "Traditional song (out of copyright); the performers own their performance",
                   "The skipper and crew of the Girl Pat, in person",
                   "Consent to record and use their singing in the series and its promotion",
                   "Agreed with no fee; releases REL-011 to REL-014 signed", "Cleared"],
                  ["1M5", "Record label (master) and music publisher (song)", "Sync request sent to both by email",
                   "UK TV and VOD, 5 years, 45 seconds background use",
                   "Label quoted GBP 1,800 for UK TV only, 3 years; publisher did not reply within 10 days",
                   "Not clearable before picture lock: replaced with library cue, edit told"]]
    return writers.xlsx(path, [Sheet("Cue sheet", rows, (5, 6, 10, 10, 9, 30, 14, 26, 6, 24, 22)),
                               Sheet("Clearance log", clearances, (10, 36, 30, 36, 44, 36)),
                               Sheet("Notes", notes, (110,))],
                        title="Music cue sheet episode 1", author=a.name, created=a.at(day, 12))


def release_forms(a: Apprentice, path: Path, day: date, password: str | None = None) -> Path:
    blocks = []
    for number, (person, role) in enumerate([("Martin Coles", "Harbour master"), ("Sue Penrose", "Fish market auctioneer")], 1):
        blocks += [
            ("h1", f"Contributor release form - {a.production}"),
            ("fields", [("Contributor", person), ("Role / description", role),
                        ("Date and place of filming", f"{day:%d/%m/%Y}, {a.location}"), ("Reference", f"REL-{number:03d}")]),
            ("p", f"In return for the production's interest in my contribution, I give {a.employer} and its licensees "
                  "the right to film, record, edit and use my contribution, name and likeness in the programme and in its "
                  "promotion, in all media throughout the world."),
            ("p", "I understand that my personal details will be kept securely, used only for this production and "
                  "deleted when no longer needed, in line with UK GDPR and the company's privacy notice."),
            ("fields", [("Contributor signature", person), ("Date", day.strftime("%d/%m/%Y")),
                        ("For the production", f"{a.name}, Junior Production Coordinator")]),
        ]
    return writers.pdf(path, blocks, title="Contributor release forms", author=a.name, created=a.at(day, 18),
                       user_password=password)


def licence_emails(a: Apprentice, path: Path, day: date) -> Path:
    later = day + timedelta(days=3)
    blocks = [
        ("h1", "Archive licence - email thread"),
        ("small", "Exported from Outlook. Personal contact details removed."),
        ("p", "How I handled it: I rang the archive's licensing desk first, to check the clips were theirs to "
              "license and who would deal with us, because a quick call answers that in minutes. Then I emailed the "
              "request, kept short and clear, so the terms we agreed are in writing for the broadcaster's "
              "paperwork. I kept the production manager copied in and the archive dealt only with me, so nobody "
              "received mixed messages; when they had not replied in three days I phoned rather than sending a "
              "second email."),
        ("fields", [("From", f"{a.name} <{a.first.lower()}@{a.employer.split()[0].lower()}.example>"), ("To", "Licensing, Southwest Film Archive"),
                    ("Date", _long(day)), ("Subject", f"Licence request - 1950s {a.town} trawler footage for {a.production}")]),
        ("p", "Hello, we would like to license two clips from your catalogue (SWFA-1957-033, 00:02:10-00:02:40 and "
              "SWFA-1961-118, 00:00:30-00:00:50) for episode 1 of a six-part factual series. Intended use: UK TV, "
              "all media, 5 years, with worldwide online clips for promotion. Could you send your terms and a quote?"),
        ("fields", [("From", "Licensing, Southwest Film Archive"), ("Date", _long(later)), ("Subject", "RE: Licence request")]),
        ("p", "Thank you. For UK TV and VOD, 5 years, our rate is GBP 45 per second with a 30-second minimum per clip. "
              "Worldwide promotional use is GBP 250 per clip. The 1961 clip contains music we do not control, so it "
              "must be used mute. The licence starts on payment; please credit 'Courtesy of Southwest Film Archive'."),
        ("fields", [("From", a.name), ("Date", _long(later)), ("Subject", "RE: Licence request")]),
        ("p", "Many thanks. I have checked this with our production manager: we accept the terms for both clips, the "
              "1961 clip to be used mute. PO-2310 attached. I have added the credit to the end-credit list and the "
              "clips and their licence reference to the archive log for the edit and the broadcaster's paperwork."),
        ("fields", [("From", a.name), ("To", f"Edit producer; cc {a.manager}"), ("Date", _long(later)),
                    ("Subject", "Archive clips for ep 1 - licensed, one must be mute")]),
        ("p", "Both archive clips for episode 1 are now cleared and licensed to the production, so they can stay in "
              "the cut. Please note: the 1961 "
              "clip must be used without its sound (the archive does not control the music on it), and each clip "
              "is paid for 30 seconds, so keep them to that length. The credit line is in the end-credit list. Any "
              "questions about the archive, come to me rather than the archive directly."),
    ]
    return writers.pdf(path, blocks, title="Archive licence emails", author=a.name, created=a.at(later, 17))


def meeting_deck(a: Apprentice, path: Path, day: date, picture: Path | None = None, movie: Path | None = None,
                 poster: Path | None = None) -> Path:
    slides = [
        Slide("Where we are", [f"{a.production}: {a.production_kind}", "Shoot block 1 complete, block 2 prep",
                               "Edit: ep 1 assembly, ep 2 logging"],
              notes="I opened with what the series is for and who it is for: a general audience at 8pm, so each "
                    "episode follows one harbour through a working week and builds to one big day. That is why we "
                    "film on the contributors' real days and tides, and why a storm moves a whole block rather than "
                    "us staging the scenes. Then I went round where each stage is: block 2 in prep, block 1 shot, the "
                    "edit assembling ep 1 and logging ep 2, picture lock for ep 1 in five weeks and delivery to the "
                    "broadcaster in eight."),
        Slide("Schedule changes", ["Whitby moved back one week (storm warning)", "Archive research moved forward",
                                   "Ep 2 delivery unchanged"], picture=picture, movie=movie, movie_poster=poster,
              notes="The production manager asked me to explain the knock-on effects. I had already re-confirmed crew "
                    "and the hotel; I flagged the one risk (camera hire overlap) and how I resolved it."),
        Slide("Resources and budget", ["Kit hire within budget line 3.2", "One lost radio mic clip: charged to production",
                                       "Hotel rate renegotiated: saves GBP 180"],
              notes="Explained how I coded the replacement cost and why I chose the second hotel quote."),
        Slide("Before ep 1 can be delivered", ["All contributor releases held", "Archive licence terms agreed, 1961 clip mute",
                                               "Legal viewing and QC booked"],
              notes="I explained what has to be in place before the broadcaster will accept episode 1: every "
                    "release and licence checked against the edit's archive log, the legal and compliance viewing "
                    "with the broadcaster's lawyer booked for week 8, and a QC slot at the post house against the "
                    "broadcaster's technical specification, with time for fixes before the delivery date. I keep "
                    "the tracker for all of these and chase anything missing."),
        Slide("Who to contact, and actions", [f"{a.first}: circulate schedule v4 today",
                                              "Edit producer: confirm archive clip lengths",
                                              "PM: approve Ireland travel plan"],
              notes="During block 2 I am the first point of contact for the crew, the hotel and the harbour authority, "
                    "and I liaise between the edit and the archive on clip queries, so each department has one "
                    "person to ask. On block 1 "
                    "two freelancers missed a call-time change posted in the crew WhatsApp group, so from now on "
                    "call-time changes are phoned through and then confirmed in writing; the group is for same-day "
                    "updates only, and the wrap email each evening carries tomorrow's call. I finished by confirming "
                    "owners and dates for each action and sent the minutes the same afternoon."),
    ]
    return writers.pptx(path, slides, title=f"{a.production} - production meeting", author=a.name,
                        created=a.at(day, 9), subtitle=f"Production meeting {day:%d %B %Y} - presented by {a.name}")


def cost_report(a: Apprentice, path: Path, day: date) -> Path:
    rows = [["Cost code", "Description", "Budget (GBP)", "Committed", "Actual", "Variance", "Notes"],
            ["2.1", "Director", 9600, 9600, 4800, 0, "Half paid at end of block 1"],
            ["2.4", "Camera and sound crew", 8400, 8000, 8000, 400, "Day rate agreed below budget"],
            ["3.2", "Camera and sound hire", 3300, 3200, 3200, 100, ""],
            ["3.5", "Consumables and replacements", 150, 38, 38, 112, "Radio mic clip replaced"],
            ["4.1", "Travel", 1400, 1260, 710, 140, "Van plus ferry for Ireland"],
            ["4.3", "Accommodation", 2600, 2375, 2375, 225, "Second quote accepted"],
            ["5.2", "Location fees", 600, 450, 450, 150, ""],
            ["6.1", "Archive footage", 3000, 2850, 0, 150, "PO-2310 raised"]]
    kit = [["Item", "Hired or bought", "Used so far", "Returned / in stock", "Cost to production", "Note"],
           ["Camera batteries", "4 on hire", "4", "3 returned, 1 faulty", "None", "Faulty battery tagged and "
            "reported to the hire company; they replaced it free"],
           ["Radio mic clips", "Part of the sound kit", "3", "2", "GBP 38 (code 3.5)", "One lost on day 2; replaced"],
           ["Hard drives, 2 TB", "10 bought", "6", "4 in stock for block 2", "In budget line 3.2", "Two copies of every "
            "card before it is cleared"],
           ["Van hire", "13 days", "14 days", "Returned 15/11", "GBP 95 (code 4.1)", "Extra day to return the kit "
            "after the boat day overran"],
           ["Waterproofs and lifejackets", "Borrowed from the skipper", "4 sets", "All returned", "None",
            "Checked in against the kit list at wrap"]]
    return writers.xlsx(path, [Sheet("Cost report", rows, (10, 32, 13, 12, 12, 10, 34)),
                               Sheet("Kit and stock", kit, (26, 22, 12, 22, 18, 50))],
                        title="Cost report week 6", author=a.name, created=a.at(day, 16))


def witness_statement(a: Apprentice, path: Path, day: date, by: str, role: str, account: list[str]) -> Path:
    """A witness statement: ``account`` is the witness's paragraphs on what they saw the apprentice do."""
    blocks = [
        ("h1", "Witness statement"),
        ("fields", [("Apprentice", a.name), ("Witness", f"{by}, {role}, {a.employer}"),
                    ("Production", a.production), ("Period observed", f"to {day:%B %Y}")]),
        *[("p", paragraph) for paragraph in account],
        ("p", f"I confirm this is a true account of what I saw {a.first} do."),
        ("fields", [("Name", by), ("Role", role), ("Date", day.strftime("%d/%m/%Y"))]),
    ]
    return writers.docx(path, blocks, title="Witness statement", author=by, created=a.at(day, 13))


def production_witness_account(a: Apprentice) -> list[str]:
    """What a line producer saw a production coordinator do over a series."""
    them = a.first
    return [
        f"I have been {them}'s line producer on {a.production} since prep began, and have seen {them} work day "
        "to day in the office and on location.",
        f"When the storm warning came for the Whitby block, {them} came to me the same morning with a re-plan: "
        "crew availability for the following week checked, the hotel held before its cancellation deadline, and "
        f"the kit hire paused so the move cost nothing extra. {them} followed our change procedure before "
        "confirming anything (costed, then signed off by the production manager), and the new schedule went out "
        f"that afternoon. We stayed on budget. {them} adapts calmly when plans change, and always within our "
        "company's policies on spending and crew hours.",
        f"{them} prioritises well. A shoot week always holds more than there is time for, and I have watched "
        f"{them} put first whatever would stop filming if it slipped: permissions and releases, then travel, "
        "then the paperwork that can wait until after wrap. Urgent tasks get done on time, and "
        f"{them} has not missed a deadline on this series.",
        f"{them} is the first point of contact for the crew, contributors and the hotel on location. When the "
        "edit and the locations team both needed the harbour master on the same day, "
        f"{them} liaised between the departments and the harbour office, passed on each team's questions in one "
        "call and kept everyone informed of the answer.",
        f"When a camera kit was double-booked for day 6, {them} told me as soon as it came to light, with two "
        "costed options, and owned that the booking had been made from an old version of the schedule. Every "
        "booking is now checked against the current version before it is confirmed.",
        f"{them} takes learning seriously: asks for feedback after each block and acts on it, asked to shadow our "
        "post supervisor for two days to learn how delivery works, and now checks the delivery paperwork before "
        "it goes to the edit. The clearances training course was also their own idea, and they share what they "
        "learn with the other coordinators.",
    ]


def post_witness_account(a: Apprentice) -> list[str]:
    """What a post producer saw a post production coordinator do over a series."""
    them = a.first
    return [
        f"I am the post producer on {a.production} and have supervised {them}'s work since the offline began.",
        f"{them} ran the client review sessions for episodes 1 and 2: booked the theatre and the remote link, "
        "kept the notes, and had them with everyone within the hour.",
        f"When the HDR monitor fault held up the episode 1 grade, {them} saw that we would miss the QC slot and "
        "adapted the plan before I had asked: QC moved by two days, the dub left alone, and the delivery date "
        f"kept. {them} followed the facility's booking procedure and our change policy, and confirmed the change "
        "with the colourist, the QC house and the client's post supervisor that day.",
        f"{them} prioritises well under pressure. In the week of the first delivery the fixes and the QC booking "
        "came first, because the delivery date is in the contract; locking episode 2 for the VFX vendor came "
        f"next, and ingest for episode 4 was moved to the following week. Urgent work is done on time, and "
        f"{them} has met every deadline on the series.",
        f"{them} managed the delivery of the episode 1 masters to the streamer: sent the files, logged the "
        "checksums, confirmed receipt, and kept the client and the distributor told of each step, including the "
        "one resubmission after QC.",
        f"{them} works on their own initiative. When a drive was logged out of the vault without a signature, "
        f"{them} raised it with me straight away, took responsibility for the gap in the log and fixed it the "
        "same day.",
        f"{them} takes charge of their own learning: asked to shadow the colourist on the HDR grade, went on the "
        "delivery standards training course, asks for feedback after each delivery, and now trains new runners "
        "on the ingest checklist.",
    ]


def site_photo(a: Apprentice, path: Path, taken, labels: list[str], seed: int) -> Path:
    photo = Photo(backdrop=((150, 185, 215), (120, 120, 125)), seed=seed, labels=labels,
                  objects=[("box", (230, 230, 235)), ("tent", (40, 90, 160)), ("box", (60, 60, 60)),
                           ("person", (240, 200, 0)), ("stand", (20, 20, 20))])
    return writers.jpeg(path, photo, taken)


def photo_notes(a: Apprentice, path: Path, day: date) -> Path:
    """The page that goes with the annotated unit base photos: what each shows and why it is laid out so."""
    blocks = [
        ("h1", "Unit base photos - notes for the crew briefing, shoot day 3"),
        ("p", f"I took these three photos at the unit base in {a.town} on the morning of shoot day 3 and used "
              "them at the next morning's safety briefing, so crew joining later knew the layout before they arrived."),
        ("h2", "Photo 1 - unit base"),
        ("p", "We are a small observational unit (five crew, one van, two cars), so the base fits in four bays "
              "of the harbour car park: the van, the welfare tent and the cars. A drama unit in the same harbour "
              "would need the whole car park, a generator and facilities trucks; we asked the harbour authority "
              "for four bays only, which kept the location fee down."),
        ("h2", "Photo 2 - camera position on the quay"),
        ("p", "The safe zone is marked 2 m back from the unguarded quay edge and the lifebuoy is 10 m to the "
              "left. The steps by the ice plant are wet and covered in fish scales: I reported them to the "
              "production manager as a slip hazard, we taped them off, and I added them to the risk assessment."),
        ("h2", "Photo 3 - rushes station"),
        ("p", "The DIT's table in the van, powered from the harbour office socket (checked by the harbour "
              "electrician), with the cable taped down along the kerb. Kit is signed out from here each morning "
              "and checked back in at wrap against the kit check-out log; on day 3 one battery came back faulty "
              "and was tagged and reported to the hire company the same evening."),
    ]
    return writers.docx(path, blocks, title="Unit base photos - notes", author=a.name, created=a.at(day, 18),
                        header=_header(a))


def cpd_log(a: Apprentice, path: Path, day: date) -> Path:
    if a.option == "post-production-coordinator":
        entries = [["20/01/2025", "HDR workflows for episodic drama (facility's in-house training)", "6",
                    "Understood why an HDR master changes storage, grade time and QC; used for the workflow plan"],
                   ["12/03/2025", "Cloud review tools webinar (ClearView, Frame.io)", "2",
                    "Proposed watermarked remote review links for the distributor"],
                   ["08/05/2025", "Shadowed the colourist on the episode 1 HDR grade", "8",
                    "Now book grade time with the trim pass included"],
                   ["17/06/2025", "Delivery and QC standards session (industry body)", "4",
                    "Rewrote the delivery schedule's specification column"],
                   ["10/07/2025", "Networking evening for post production coordinators", "3",
                    "Met two facility bookers; followed up on LinkedIn"],
                   ["05/08/2025", "Updated CV and LinkedIn; asked the post producer for a recommendation", "2",
                    "Profile now shows credits, HDR delivery and the tools I use"]]
        reflection = ("Shadowing the colourist changed how I plan most: I now ask each department what a change to the "
                      "deliverables means for them before I update the schedule. I share what I learn with the "
                      "other coordinators and runners at our Friday catch-up. For the next contract I want to be "
                      "known for delivery, so my CV and LinkedIn profile lead with the episodes I took through QC and "
                      "delivery, and I keep in touch with the bookers I met.")
    else:
        entries = [["14/11/2024", "ScreenSkills production safety passport", "7", "Applied to risk assessments from block 1"],
                   ["06/01/2025", "albert carbon literacy training", "4", "Set up the series' carbon footprint tracking"],
                   ["22/02/2025", "Webinar: virtual production and LED volumes", "2", "Briefed the team on costs versus location"],
                   ["18/03/2025", "Copyright and clearances course (industry body)", "6", "Used for the archive and music clearances"],
                   ["10/04/2025", "Movie Magic Scheduling tutorial", "5", "Built the block 3 schedule"],
                   ["11/06/2025", "Sheffield DocFest (industry festival)", "8",
                    "Networked with production managers; followed up with three by email and LinkedIn"],
                   ["01/07/2025", "Shadowed the post supervisor for two days", "14", "Understood delivery paperwork and QC"],
                   ["14/07/2025", "Updated CV, LinkedIn and The Talent Manager profile", "2",
                    "Added series credits and asked the line producer for a recommendation"]]
        reflection = ("The safety passport and the clearances course changed how I work most: I now start every risk "
                      "assessment and cue sheet at the recce rather than the week of the shoot. I share what I learn "
                      "with the other coordinators at our monthly team lunch. Freelance work in this industry comes "
                      "through people who know your work, so after DocFest I followed up every contact, and my "
                      "profiles now list my credits and the paperwork I can run on my own.")
    blocks = [
        ("h1", f"CPD log - {a.name}"),
        ("p", f"Exported from the apprenticeship e-portfolio, {day:%d %B %Y}. Hours are off-the-job training."),
        ("table", [["Date", "Activity", "Hours", "What I learned and how I used it"], *entries]),
        ("h2", "Reflection"),
        ("p", reflection),
    ]
    return writers.pdf(path, blocks, title="CPD log", author=a.name, created=a.at(day, 10))


def data_handling(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Contributor data and confidentiality checklist"),
        ("p", f"How I handle personal data and unreleased material on {a.production}, checked against the "
              f"{a.employer} data protection policy and the commissioner's confidentiality terms."),
        ("table", [["Item", "What I do", "Where it is kept"],
                   ["Contributor contact details", "Collected with consent; only the production team has access", "Production SharePoint, restricted folder"],
                   ["Release forms", "Scanned the same day; paper copies locked away", "Releases folder; office safe"],
                   ["Rushes and cuts", "Shared by expiring link with watermark; never by personal email", "Post server"],
                   ["Call sheets", "Personal numbers removed before sending to contributors", "Shared only with crew"],
                   ["Social media", "No behind-the-scenes posts until the broadcaster's publicity release", "n/a"]]),
        ("p", "Breaches or near misses are reported to the production manager straight away. Personal data is deleted "
              "twelve months after delivery, as the policy requires."),
    ]
    return writers.docx(path, blocks, title="Data and confidentiality checklist", author=a.name,
                        created=a.at(day, 15), header=_header(a))


def profile_lines(a: Apprentice) -> list[tuple[str, str]]:
    """The CV's heading line and profile paragraph, for the apprentice's option."""
    if a.option == "post-production-coordinator":
        return [("p", "Junior Post Production Coordinator - drama and factual - Manchester"), ("h2", "Profile"),
                ("p", "Organised and calm under deadline pressure. I coordinate post from ingest to delivery: "
                      "schedules and suite bookings, client reviews, VFX tracking, QC and delivery to streamers.")]
    return [("p", f"Junior Production Coordinator - factual and entertainment - {a.region}"), ("h2", "Profile"),
            ("p", "Organised, calm under pressure and good with people. I coordinate shoots from prep to delivery: "
                  "call sheets, crew and kit bookings, travel, clearances and cost tracking.")]


def profile(a: Apprentice, path: Path, day: date, credits: list[str]) -> Path:
    blocks = [
        ("h1", a.name),
        *profile_lines(a),
        ("h2", "Credits"),
        ("bullets", credits),
        ("h2", "Skills and training"),
        ("bullets", ["HDR and UHD delivery workflows; cloud review tools", "Avid, DaVinci Resolve (basic), Farmerswife, "
                     "Excel", "Full UK driving licence"] if a.option == "post-production-coordinator" else
                    ["ScreenSkills production safety passport; albert carbon literacy", "Movie Magic Scheduling, Excel, SharePoint",
                     "Full UK driving licence"]),
        ("p", "Profile kept up to date on LinkedIn and The Talent Manager; available for coordinator roles from spring."),
    ]
    return writers.pdf(path, blocks, title=f"{a.name} - CV", author=a.name, created=a.at(day, 20))


def deliverables_pack(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", f"Handover to post-production - {a.production} episode 1"),
        ("table", [["Item", "Status", "Notes"],
                   ["Rushes (cards 1-42), DIT reports", "Delivered", "Two copies verified by checksum"],
                   ["Camera and sound reports", "Delivered", ""],
                   ["Contributor releases (14)", "Delivered", "All signed; REL-009 is for a minor: parental consent attached"],
                   ["Location agreements (3)", "Delivered", ""],
                   ["Music cue sheet", "Draft", "Final after picture lock"],
                   ["Archive log and licences", "Delivered", "1961 clip mute only"],
                   ["Stills for publicity (20)", "Delivered", "Photographer's licence attached"]]),
        ("p", "The edit producer confirmed receipt; queries go to the coordinator."),
    ]
    return writers.docx(path, blocks, title="Post handover pack", author=a.name, created=a.at(day, 16), header=_header(a))


# --- post production coordinator option -----------------------------------------------------------

def post_schedule(a: Apprentice, path: Path, day: date) -> Path:
    stages = ["Ingest and sync", "Assembly", "Offline edit", "Picture lock", "Online conform", "Grade", "VFX shots",
              "Dub and mix", "QC", "Delivery"]
    rows = [["Episode", *stages]]
    for episode in range(1, 5):
        start = day + timedelta(weeks=episode - 1)
        rows.append([f"Ep {episode}", *[(start + timedelta(weeks=i)).strftime("%d/%m/%Y") for i in range(len(stages))]])
    suites = [["Suite", "Mon", "Tue", "Wed", "Thu", "Fri"],
              ["Avid 1", "Ep 2 offline", "Ep 2 offline", "Ep 2 offline", "Ep 1 review", "Ep 2 offline"],
              ["Grade 1", "Ep 1 grade", "Ep 1 grade", "Ep 1 client review", "Ep 1 fixes", "-"],
              ["Dub stage", "-", "Ep 1 pre-mix", "Ep 1 mix", "Ep 1 mix", "Ep 1 playback"]]
    notes = [["Notes and changes"],
             [f"Why the episodes are in this order: {a.production} is a slow-burn thriller for a streamer, and "
              "episode 1 has to hold its audience, so the client reviews it first and it gets the longest grade. "
              "Episode 3 carries the storm sequence the director sees as the heart of the series, with most of the "
              "VFX, so its offline starts before episode 2 is locked."],
             ["Version 7, 10/03: the episode 1 grade slipped two days (HDR monitor fault). QC moved from 17/03 to "
              "19/03; delivery date unchanged. I told the colourist, the dubbing mixer, the QC house and the client's "
              "post supervisor the same day by email, and updated the shared calendar and suite bookings."],
             ["My priorities this week: 1. episode 1 fixes and the QC booking, the most urgent because the delivery "
              "date is in the contract; 2. lock episode 2 so the VFX vendor can start on time; 3. episode 3 assembly "
              "review. Episode 4 ingest can move to next week without touching any deadline."],
             ["The schedule lives in the shared workbook on SharePoint; suite bookings are mirrored in Farmerswife "
              "so the facility's bookers see changes as soon as I make them."]]
    return writers.xlsx(path, [Sheet("Post schedule", rows, (8, *([13] * len(stages)))),
                               Sheet("Suite bookings", suites, (12, 16, 16, 18, 16, 16)),
                               Sheet("Notes and changes", notes, (120,))],
                        title="Post schedule", author=a.name, created=a.at(day, 11))


def delivery_schedule(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", f"Delivery schedule - {a.production}"),
        ("p", f"Prepared by {a.name} from the commissioner's delivery requirements (version 3). Each item is "
              "tracked to delivery and QC pass."),
        ("table", [["Item", "Specification", "Due", "Status"],
                   ["UHD master", "ProRes 422 HQ, 3840x2160, 25p, Rec.709, 24-bit 48 kHz PCM 5.1 + stereo", "Ep 1: 20/02/2026", "Delivered"],
                   ["HD broadcast file", "AS-11 UK DPP, XDCAM HD 50, 1920x1080i25", "Ep 1: 20/02/2026", "QC passed"],
                   ["Textless elements", "ProRes 422 HQ, tail of master", "With master", "Delivered"],
                   ["Audio stems and M&E", "WAV 24-bit 48 kHz: dialogue, music, effects, M&E", "Ep 1: 24/02/2026", "In progress"],
                   ["Subtitles", "EBU-TT-D and SRT, English", "Ep 1: 24/02/2026", "Ordered"],
                   ["Artwork and stills", "TIFF 300 dpi, 20 images, captions", "27/02/2026", "With publicity"],
                   ["Paperwork", "Music cue sheet, post-production script, credits, QC report", "27/02/2026", "Drafts"]]),
        ("h2", "Notes"),
        ("bullets", ["Files are delivered by Aspera to the commissioner; I confirm receipt and log checksums.",
                     "Any change to the specification is agreed with the post producer and recorded here.",
                     "The distributor receives copies of the textless elements and M&E at the same time."]),
    ]
    return writers.docx(path, blocks, title="Delivery schedule", author=a.name, created=a.at(day, 14), header=_header(a))


def turnover_log(a: Apprentice, path: Path, day: date) -> Path:
    rows = [["Reel", "Event", "Source clip", "Record in", "Record out", "Format", "Resolution", "Status"],
            ["EP1_R1", "001", "A003C012_250611", "01:00:00:00", "01:00:07:12", "ARRIRAW", "4.5K", "Conformed"],
            ["EP1_R1", "002", "B001C004_250611", "01:00:07:12", "01:00:12:03", "ProRes 4444", "UHD", "Conformed"],
            ["EP1_R1", "003", "VFX_EP1_010_v003", "01:00:12:03", "01:00:16:20", "EXR", "UHD", "Awaiting v004"],
            ["EP1_R2", "001", "A007C002_250613", "01:10:00:00", "01:10:05:09", "ARRIRAW", "4.5K", "Conformed"],
            ["EP1_R2", "002", "ARCHIVE_NWFA_1971", "01:10:05:09", "01:10:12:00", "ProRes 422", "SD upscaled", "Check with client"]]
    ingest = [["Drive", "Received", "From", "Checksum verified", "Copied to", "Logged by"],
              ["LF-0231", "09/06/2025", "Production (courier)", "Yes (MD5)", "SAN /quietcoast/rushes", a.initials],
              ["LF-0232", "12/06/2025", "DIT (hand delivery)", "Yes (MD5)", "SAN /quietcoast/rushes", a.initials]]
    sharing = [["How this log is shared"],
               ["The log is a shared tracker in the show's Airtable database. The online editor, the VFX vendor and "
                "the client's post supervisor each have a view filtered to what they need, so nobody works from an "
                "old copy of a spreadsheet sent by email."],
               ["I update the ingest status as each drive is verified; the assistant editor gets a notification and "
                "starts syncing straight away."],
               ["Status colours: green conformed, amber waiting for a VFX version, red a query with the client. The "
                "red rows go on the agenda of the weekly post meeting."]]
    return writers.xlsx(path, [Sheet("Turnover EP1", rows, (9, 7, 22, 13, 13, 13, 12, 16)),
                               Sheet("Ingest log", ingest, (9, 12, 22, 18, 24, 10)),
                               Sheet("How it is shared", sharing, (110,))],
                        title="Turnover and ingest log", author=a.name, created=a.at(day, 17))


def review_notes(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Client review session - episode 1 fine cut"),
        ("fields", [("Date", _long(day)), ("Where", "Review theatre and remote (ClearView)"),
                    ("Attending", "Executive producer (client), director, editor, post producer"),
                    ("Notes taken by", a.name)]),
        ("table", [["Timecode", "Note", "Owner", "Due"],
                   ["01:02:14:10", "Shorten the harbour montage by about 10 seconds", "Editor", "Thursday"],
                   ["01:08:40:00", "Archive shot: check the licence allows this length", a.name, "Wednesday"],
                   ["01:15:22:05", "VFX 010: sky replacement too bright", "VFX supervisor", "Next review"],
                   ["01:31:02:18", "Music cue under dialogue too loud - flag for the mix", "Dubbing mixer", "Mix"]]),
        ("p", "I circulated these notes within the hour, updated the VFX tracker and booked the next review for the "
              "client's preferred slot; the executive producer confirmed the notes were complete."),
        ("h2", "Follow-up"),
        ("bullets", ["The director could not attend, so I rang him after the session to talk through the two notes that "
                     "change his cut before he read them in the email. The client prefers one consolidated email to "
                     "a stream of messages, so every note, including two sent later by WhatsApp, is in that email.",
                     "Two notes affect whether the episode can be delivered: the archive shot must stay within the "
                     "length the licence allows, and the music under dialogue must meet the streamer's loudness "
                     "specification at the mix. I added both to the QC checklist, and the archive note to the "
                     "clearance log so the legal sign-off is not held up."]),
    ]
    return writers.docx(path, blocks, title="Review notes ep 1", author=a.name, created=a.at(day, 18), header=_header(a))


def qc_report(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", f"QC report summary - {a.production} ep 1 - HD AS-11"),
        ("fields", [("File", "TQC_EP1_HD_AS11_v02.mxf"), ("Checked", f"{day:%d/%m/%Y}, automated and eyeball QC"),
                    ("Result", "PASS (with notes)")]),
        ("table", [["Timecode", "Issue", "Severity", "Action"],
                   ["10:12:04:11", "Brief luminance over 105% (specular highlight)", "Note", "Accepted by client"],
                   ["10:27:40:02", "Audio dip on dialogue track", "Minor", "Fixed in v02"],
                   ["10:44:10:20", "Caption safe-area breach", "Minor", "Fixed in v02"]]),
        ("p", "I chased the fixes, re-submitted v02 for QC and confirmed the pass with the commissioner's delivery team."),
    ]
    return writers.pdf(path, blocks, title="QC report ep 1", author=a.name, created=a.at(day, 15))


def vfx_tracker(a: Apprentice, path: Path, day: date) -> Path:
    rows = [["Shot", "Episode", "Description", "Vendor", "Version", "Status", "Due", "Notes"],
            ["QC_EP1_010", 1, "Sky replacement, harbour wide", "In-house", "v004", "Client review", "13/02/2026", "Tone down sky"],
            ["QC_EP1_020", 1, "Remove modern signage", "In-house", "v002", "Approved", "06/02/2026", ""],
            ["QC_EP2_005", 2, "Boat wake clean-up", "Northlight VFX", "v001", "In progress", "27/02/2026", "Vendor bid approved"],
            ["QC_EP2_011", 2, "Screen insert, phone", "In-house", "-", "Not started", "06/03/2026", "Plate ingested"]]
    notes = [["Date", "Note"],
             ["10/02/2026", "My priorities this week: QC_EP1_010 first and urgent, because the episode 1 online cannot "
              "finish without it and the delivery deadline is fixed. EP2 shots come next; EP2_011 can wait until the "
              "plate is approved."],
             ["13/02/2026", "Passed the client's note on 010 ('sky too bright') to the in-house VFX artist with the "
              "colourist's reference frame, so the fix matches the grade; told the client a v005 needs one more day."],
             ["16/02/2026", "Relayed the director's notes on the boat wake shots to Northlight's VFX supervisor and asked "
              "for v001 by 20/02, so the editor can cut it in before episode 2 is locked."]]
    return writers.xlsx(path, [Sheet("VFX shots", rows, (12, 8, 30, 16, 8, 14, 12, 24)),
                               Sheet("Notes", notes, (12, 110))],
                        title="VFX shot tracker", author=a.name, created=a.at(day, 12))


def courier_plan(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Hand-carry of master drives to Paris - travel note"),
        ("p", f"For the distributor's screening in Paris on {(day + timedelta(days=9)):%d %B %Y}, two encrypted drives are "
              "hand-carried by the post producer. I arranged travel and the paperwork below."),
        ("bullets", ["Eurostar London - Paris, seats booked together; hotel near the screening room for one night.",
                     "Passport valid for three months beyond travel; no visa needed for a short business visit.",
                     "Commercial invoice and letter of authority for the drives (temporary export, returned with the traveller).",
                     "Drives encrypted (AES-256); passwords sent separately to the distributor's technical contact.",
                     "Insurance: drives covered by the company's goods-in-transit policy; serial numbers listed."]),
        ("p", "Post producer, distributor and the facility's operations manager were sent the itinerary and contacts."),
    ]
    return writers.docx(path, blocks, title="Drive hand-carry travel note", author=a.name, created=a.at(day, 10),
                        header=_header(a))


def machine_room_risk(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Risk assessment - client review sessions and machine room"),
        ("table", [["Hazard", "Controls", "Residual"],
                   ["Trailing cables in the review theatre", "Cable covers; cables routed behind seating", "Low"],
                   ["Heat and noise in the machine room", "Access by staff only; ear defenders; 20-minute limit", "Low"],
                   ["Display screen use over long sessions", "DSE assessment; breaks every hour", "Low"],
                   ["Visitors unfamiliar with the building", "Signed in, fire exits shown, escorted", "Low"],
                   ["Confidential material seen by visitors", "Only the client's project on screen; NDAs on file", "Low"]]),
        ("h2", "Rules this assessment follows"),
        ("bullets", ["The facility's health and safety policy, and the display screen equipment regulations for long "
                     "review sessions.",
                     "Visitors sign the facility's NDA and the commissioner's security terms before they see anything.",
                     "No photographs or social media posts from inside the building, under the company's social "
                     "media policy; the fire risk assessment and electrical tests are in date."]),
        ("p", f"Prepared by {a.name}; reviewed with {a.manager} ({a.manager_role}) on {day:%d/%m/%Y}."),
    ]
    return writers.docx(path, blocks, title="Review sessions risk assessment", author=a.name, created=a.at(day, 9),
                        header=_header(a))


def security_checklist(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Content security checklist - The Quiet Coast"),
        ("p", "The commissioner requires TPN-aligned handling of unreleased content. My checks each week:"),
        ("table", [["Check", "How", "Done"],
                   ["Review links", "Watermarked per viewer, expire after 7 days", "Yes"],
                   ["Drives", "Encrypted, logged in and out, stored in the vault", "Yes"],
                   ["Visitors", "NDA signed before viewing; phones away in the theatre", "Yes"],
                   ["Email", "No cuts or scripts sent as attachments", "Yes"],
                   ["Social media", "Nothing posted about the series until the publicity embargo lifts", "Yes"]]),
    ]
    return writers.docx(path, blocks, title="Content security checklist", author=a.name, created=a.at(day, 16),
                        header=_header(a))


def workflow_plan(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Workflow and resources plan - UHD HDR versus HD deliverables"),
        ("p", f"When the commissioner added a UHD HDR master to the delivery requirements for {a.production}, I "
              "worked out with the post producer what that changed, so the schedule and budget could be re-agreed."),
        ("table", [["Resource", "HD only (original plan)", "UHD HDR plus HD (new plan)"],
                   ["Storage", "40 TB on the SAN", "120 TB; second SAN volume hired for 10 weeks"],
                   ["Offline", "DNxHD 36 proxies", "Unchanged (proxies), conform from camera originals"],
                   ["Grade", "1 suite, 3 days per episode", "HDR suite with reference monitor, 5 days per episode"],
                   ["QC", "HD QC only", "HDR and SDR QC passes, plus metadata checks"],
                   ["Crew", "1 assistant editor", "1 assistant editor plus freelance DIT for ingest"]]),
        ("p", "The change came three weeks into the offline, so we had to adapt without stopping the edit. I "
              "followed the facility's change procedure: the revised plan was costed, signed off by the head of "
              "production and shared with the client before any booking changed. The extra storage was live before "
              "the first UHD conform, and the offline carried on with the same proxies."),
    ]
    return writers.docx(path, blocks, title="Workflow and resources plan", author=a.name, created=a.at(day, 15),
                        header=_header(a))


def vendor_bookings(a: Apprentice, path: Path, day: date) -> Path:
    rows = [["Ref", "Supplier / freelancer", "For", "From", "To", "Rate", "PO", "Status"],
            ["F01", "Jess Moreno (assistant editor)", "Ingest and sync, ep 1-4", "03/02/2025", "28/03/2025", "GBP 220/day", "PO-1184", "Contracted"],
            ["F02", "Sam Cole (DIT, freelance)", "HDR ingest checks", "10/02/2025", "21/02/2025", "GBP 300/day", "PO-1185", "Contracted"],
            ["V01", "Northlight VFX", "Boat wake clean-up, 12 shots", "17/02/2025", "14/03/2025", "Bid GBP 6,400", "PO-1190", "Approved"],
            ["S01", "Drive stock (8 x 8 TB)", "Camera originals, 2 copies", "03/02/2025", "-", "GBP 1,520", "PO-1182", "Received"],
            ["S02", "SAN volume hire", "Extra 80 TB", "03/02/2025", "11/04/2025", "GBP 2,100", "PO-1183", "Live"]]
    usage = [["Week", "SAN used (TB)", "Free (TB)", "Action"],
             ["1", 38, 82, "-"], ["3", 71, 49, "Archived ep 1 proxies"], ["5", 96, 24, "Warned post producer: 20% left"]]
    return writers.xlsx(path, [Sheet("Bookings", rows, (5, 30, 28, 12, 12, 14, 10, 12)),
                               Sheet("Storage use", usage, (8, 14, 10, 34))],
                        title="Freelancer and vendor bookings", author=a.name, created=a.at(day, 16))


def post_deck(a: Apprentice, path: Path, day: date) -> Path:
    slides = [
        Slide("The series in post", [f"{a.production}: {a.production_kind}", "The look carries the story",
                                     "Storm sequence (ep 3) is the centrepiece"],
              notes="I started with what the series is meant to be. The commissioning brief is a slow, atmospheric "
                    "thriller for a streamer's UK and international audience, and the director's vision is that the "
                    "look carries the story. That is why the grade has five days an episode and why episode 3's "
                    "storm, the turning point of the narrative, has the most VFX: those creative choices shape the "
                    "post schedule more than anything else."),
        Slide("Where each episode is", ["Ep 1: online and grade", "Ep 2: fine cut", "Ep 3-4: assembly"],
              notes="Then the whole pipeline, so each department could see where its episode is: ingest and sync, "
                    "assembly, offline, picture lock, online conform, grade, VFX, dub and mix, QC and delivery. "
                    "Episode 1 is past picture lock; episode 2 is at fine cut; episodes 3 and 4 are in assembly."),
        Slide("The grade slip", ["Ep 1 grade 2 days late (HDR monitor fault)", "QC slot moved, delivery date kept",
                                 "Dub unaffected"],
              notes="I explained the knock-on effects of the late grade and the options I had agreed with the colourist."),
        Slide("Keeping everyone informed", ["Client reviews face to face on Thursdays", "Notes by email within the hour",
                                            "A quick call for anything that changes the cut"],
              notes="I explained how we communicate with the client and the director and why. Reviews are in person "
                    "on Thursdays, with a remote link for the distributor, because notes are clearer when everyone "
                    "watches together. The notes go out in one clear, concise email within the hour, so there is a "
                    "written record. Anything that changes the cut gets a quick call to the director first, so he "
                    "hears it from us before he reads it; messages that arrive by WhatsApp are copied into the "
                    "email. During the grade the client gets a short daily update rather than a weekly one."),
        Slide("Deliverables", ["UHD HDR master and HD AS-11", "Stems, M&E, subtitles", "Paperwork last"],
              notes="Covered what post must deliver and why paperwork errors can stop a delivery."),
    ]
    return writers.pptx(path, slides, title=f"{a.production} - post production meeting", author=a.name,
                        created=a.at(day, 9), subtitle=f"Weekly post meeting {day:%d %B %Y} - {a.name}")


def declaration(a: Apprentice, path: Path, day: date, employer_signs: bool = True) -> Path:
    """The statement ST0792 requires: both parties confirm the evidence is valid and the apprentice's own."""
    option = {"production-coordinator": "production coordinator", "post-production-coordinator":
              "post production coordinator"}.get(a.option, a.option)
    scope = f" ({option} option)" if option else ""
    signed = a.manager if employer_signs else ""
    dated = day.strftime("%d/%m/%Y") if employer_signs else ""
    blocks = [
        ("h1", "Portfolio of evidence - declaration of authenticity"),
        ("fields", [("Apprentice", a.name), ("ULN", a.uln), ("Employer", a.employer),
                    ("Apprenticeship", f"{a.standard} v{a.version}{scope}"), ("Training provider", a.provider)]),
        ("h2", "Apprentice declaration"),
        ("p", "I confirm that the evidence in this portfolio is my own work and was produced by me during my "
              f"apprenticeship with {a.employer}. Where other people contributed to a piece, or wrote about my work, "
              "this is stated in the mapping."),
        ("h2", "Employer declaration"),
        ("p", f"As {a.first}'s line manager, I confirm that the evidence in this portfolio is valid and attributable to "
              f"{a.name}, and that it was produced in the workplace during the apprenticeship."),
        ("table", [["", "Apprentice", "Employer"],
                   ["Name", a.name, f"{a.manager}, {a.manager_role}" if employer_signs else ""],
                   ["Signature", a.name, signed],
                   ["Date", day.strftime("%d/%m/%Y"), dated]]),
    ]
    return writers.docx(path, blocks, title="Declaration of authenticity", author=a.provider, created=a.at(day, 12))
