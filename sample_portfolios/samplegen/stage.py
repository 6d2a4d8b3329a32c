"""Evidence an assistant stage manager (ST1457) produces: rehearsal schedules, prompt book pages, show reports..."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from samplegen import writers
from samplegen.people import Apprentice
from samplegen.writers import Photo, Sheet


def _header(a: Apprentice) -> str:
    return f"{a.employer}  |  {a.production}  |  Stage management"


def rehearsal_schedule(a: Apprentice, path: Path, day: date) -> Path:
    rows = [["Day", "Date", "Time", "Scenes", "Called", "Room"]]
    plan = [("Meet and greet, read-through", "Full company", "Rehearsal room 1"),
            ("Act 1 sc 1-2 (Sicilia)", "Leontes, Hermione, Polixenes, Camillo, Mamillius", "Rehearsal room 1"),
            ("Act 2 sc 1-3; fight call", "Leontes, Hermione, Antigonus, Paulina, guards", "Rehearsal room 1"),
            ("Act 3 sc 2 (trial)", "Full company minus Bohemia shepherds", "Rehearsal room 1"),
            ("Act 3 sc 3 (the bear); movement", "Antigonus, Mariner, Shepherd, Clown", "Rehearsal room 2"),
            ("Act 4 sc 4 (sheep-shearing); music call", "Bohemia company, musicians", "Rehearsal room 1")]
    for number, (scenes, called, room) in enumerate(plan):
        when = day + timedelta(days=number)
        rows.append([f"Day {number + 1}", when.strftime("%a %d/%m/%Y"), "10:00-13:00, 14:00-18:00", scenes, called, room])
    notes = [["Notes"],
             ["Version 2, drawn up from the director's rehearsal plan and the actors' availability, and circulated "
              "by email to the company, the CSM, the DSM and every department on the Friday before rehearsals. A "
              "copy is pinned on the rehearsal room board."],
             ["Version 1 had the trial scene on day 3; the fight director could only come on day 3, so the trial "
              "moved to day 4. Changes are marked in the daily call and in the rehearsal report."],
             ["Each day's calls are confirmed in the daily call sent by 18:00 the evening before. Every version is "
              "filed in the production archive with the rehearsal reports."]]
    return writers.xlsx(path, [Sheet("Week 1", rows, (7, 15, 22, 36, 52, 18)), Sheet("Notes", notes, (110,))],
                        title="Rehearsal schedule week 1", author=a.name, created=a.at(day - timedelta(days=3), 16))


def rehearsal_report(a: Apprentice, path: Path, day: date, number: int) -> Path:
    if number < 9:
        rehearsed, notes = "Act 2 sc 1-3; fight call 16:00", [
            ["Props", "Please can we have a rehearsal cradle for Perdita by Thursday? ASM to source."],
            ["Wardrobe", "Hermione's trial gown: the director would like the train shorter for the fall."],
            ["Lighting", "Trial scene needs a tight special on the dock, DS centre."],
            ["Sound", "Oracle thunder to be cued from the SM desk, not live."],
            ["Production", "Fight director called on Thursday 14:00-16:00; room 2 booked."]]
        closing = [("p", "Health and safety: the raked stage mark-up was re-taped after a trip; no injury, entered in "
                         "the accident book.")]
    else:
        rehearsed, notes = "Act 3 sc 3 (the bear); fight call 14:00; Act 4 sc 4 music call", [
            ["Fight", "Fight director happy with the Antigonus fight; fight call before every run from now on, "
                      "10 minutes, led by the fight captain."],
            ["Props", "Blunted shears passed the fight director's check; stored in the locked box between calls."],
            ["Wardrobe", "Bear head restricts vision: the actor needs a clear exit path SL. ASM to glow-tape the route."],
            ["Sound", "Bear roar to be tried in surround at the tech."]]
        closing = [("h2", "For production meeting 3 (Thursday)"),
                   ("p", "Items I have put on the agenda from this week's rehearsals: the cost of the replacement "
                         "castors for the statue truck, strobe warning signs for front of house, and the get-in "
                         "times for the first two tour venues. I will take the minutes and circulate the action "
                         "points the same evening.")]
    blocks = [
        ("h1", f"Rehearsal report {number} - {a.production}"),
        ("fields", [("Date", day.strftime("%A %d %B %Y")), ("Rehearsed", rehearsed),
                    ("Absent / late", "None"), ("Report by", f"{a.name}, Assistant Stage Manager")]),
        ("h2", "Departments"),
        ("table", [["Department", "Note"], *notes]),
        *closing,
    ]
    return writers.docx(path, blocks, title=f"Rehearsal report {number}", author=a.name, created=a.at(day, 19),
                        header=_header(a))


def prompt_book_pages(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Prompt book - Act 3 scene 2 (the trial), pages 41-43"),
        ("small", "Transcribed from the prompt copy. Standbys marked SB, GO points marked GO."),
        ("p", "LEONTES: This sessions, to our great grief we pronounce, even pushes 'gainst our heart."),
        ("table", [["Cue", "Standby at", "GO on", "Notes"],
                   ["LX 42", "'even pushes 'gainst our heart'", "Hermione enters", "Slow 8 s fade to trial state"],
                   ["SQ 17", "Officer: 'Silence!'", "Break of seal on the oracle", "Thunder, from desk"],
                   ["LX 43", "SQ 17", "Cleomenes kneels", "Snap to special DS centre"],
                   ["FLY 5", "'Apollo's angry'", "Leontes: 'the heavens themselves'", "Gauze in, 6 s"]]),
        ("p", "Blocking: Hermione X DS to dock (beat 3); Paulina enters USL with the news at 'the queen is dead'."),
        ("h1", "Prompt book - Act 3 scene 3, page 44"),
        ("table", [["Cue", "Standby at", "GO on", "Notes"],
                   ["LX 48", "'A savage clamour!'", "'Exit, pursued by a bear'", "Storm state, strobe warning issued"],
                   ["SQ 21", "LX 48", "Antigonus exit", "Bear roar, surround"]]),
    ]
    return writers.pdf(path, blocks, title="Prompt book extract", author=a.name, created=a.at(day, 22))


def show_report(a: Apprentice, path: Path, day: date, performance: int, venue: str) -> Path:
    blocks = [
        ("h1", f"Show report - performance {performance} - {venue}"),
        ("fields", [("Date", day.strftime("%A %d %B %Y")), ("Up", "19:31"), ("Interval", "20:52-21:12"),
                    ("Down", "22:18"), ("Running time", "2 h 27 min (incl. interval)"), ("House", "412 / 450"),
                    ("Stage manager on the book", a.colleague), ("Report by", a.name)]),
        ("h2", "Show notes"),
        ("bullets", ["Act 3 sc 3: bear costume zip stuck; Clown covered, 20 s hold on SQ 21.",
                     "Perdita's basket preset late at interval: ASM reset plotted for tomorrow.",
                     "One late-comer admitted at the Act 1 sc 2 break, as agreed with front of house."]),
        ("h2", "Departments"),
        ("table", [["Department", "Note"],
                   ["Wardrobe", "Bear zip to be replaced before tomorrow's matinee"],
                   ["Props", "Oracle scroll seal broken - ASM to replace from stock (petty cash)"],
                   ["LX", "Special DS centre flickering in Act 3; LX to check"]]),
    ]
    return writers.docx(path, blocks, title=f"Show report {performance}", author=a.name, created=a.at(day, 23),
                        header=_header(a))


def props_list(a: Apprentice, path: Path, day: date) -> Path:
    rows = [["Prop", "Scene", "Preset", "Source", "Cost (GBP)", "Status", "Maintenance"],
            ["Oracle scroll with seal", "3.2", "Prop table SL", "Made by ASM", 12.5, "In use", "Seal replaced each show"],
            ["Perdita (baby bundle)", "2.3, 3.3", "Prop table SR", "Borrowed from stock", 0, "In use", "Check weight"],
            ["Sheep-shearing shears (blunted)", "4.4", "Prop table SR", "Hired", 25, "In use", "Safety checked"],
            ["Hermione statue plinth", "5.3", "Truck US", "Workshop build", 180, "In use", "Check castors weekly"],
            ["Autolycus' pedlar tray", "4.4", "Prop table SL", "Bought second-hand", 38, "In use", "Restock ribbons"]]
    spend = [["Date", "Item", "Supplier", "Budget line", "Amount (GBP)", "Receipt"],
             ["12/01/2026", "Ribbons and lace", "Norwich market", "Props consumables", 14.6, "Yes"],
             ["19/01/2026", "Wax seals x 40", "Online stationer", "Props consumables", 22.0, "Yes"],
             ["26/01/2026", "Replacement castors", "Hardware store", "Props maintenance", 31.8, "Yes"]]
    return writers.xlsx(path, [Sheet("Props list", rows, (30, 10, 14, 20, 11, 10, 26)),
                               Sheet("Petty cash", spend, (12, 22, 18, 18, 13, 9))],
                        title="Props list and petty cash", author=a.name, created=a.at(day, 17))


def meeting_minutes(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", f"Production meeting 3 - {a.production}"),
        ("fields", [("Date", day.strftime("%d/%m/%Y")), ("Present", "Director, designer, production manager, LX, sound, "
                                                                      "wardrobe, CSM, DSM, ASM"), ("Minutes", a.name)]),
        ("table", [["Item", "Discussion", "Action"],
                   ["Budget", "Props at 72% of budget; plinth build over by GBP 40", "PM and ASM to agree saving"],
                   ["Touring", "Get-in times for Bury St Edmunds and Malvern confirmed", "CSM to circulate"],
                   ["Safety", "Strobe warning signs for front of house", "ASM to supply"],
                   ["Props", "Rehearsal cradle in the room from Thursday", "ASM"]]),
    ]
    return writers.docx(path, blocks, title="Production meeting 3 minutes", author=a.name, created=a.at(day, 18),
                        header=_header(a))


def risk_assessment(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Risk assessment - stage management tasks on tour"),
        ("table", [["Hazard", "Controls", "Residual"],
                   ["Working in the dark backstage", "Blue working lights; glow tape on edges and steps", "Low"],
                   ["Moving the statue truck", "Two crew, brake on when set, route kept clear", "Low"],
                   ["Strobe in Act 3", "Front-of-house signs and programme note", "Low"],
                   ["Blunted shears", "Stored in locked box; checked pre-show", "Low"],
                   ["Lone working at get-out", "Buddy system; venue duty manager informed", "Low"]]),
        ("h2", "How we work to keep these controls in place"),
        ("bullets", ["Preset checks are done against the setting list and signed off by the ASM before the half; "
                     "the DSM does not call beginners until they are.",
                     "The company signs in at the stage door; the DSM checks the sign-in sheet at the half and tells "
                     "the company stage manager of anyone missing.",
                     "At each get-in the CSM hands this assessment to the venue's technical manager, and the venue's "
                     "fire and evacuation procedures are briefed to the company before the first show.",
                     "Anything that goes wrong in a show goes in the show report and, if anyone is hurt, in the "
                     "venue's accident book."]),
        ("p", f"Written by {a.name}, agreed with {a.manager} and shared with each venue's technical manager."),
    ]
    return writers.docx(path, blocks, title="Stage management risk assessment", author=a.name, created=a.at(day, 11),
                        header=_header(a))


def props_photo(a: Apprentice, path: Path, taken, seed: int) -> Path:
    photo = Photo(backdrop=((40, 40, 50), (90, 70, 50)), seed=seed, camera=("Apple", "iPhone 13"),
                  labels=["Prop table SL - preset Act 3", "Oracle scroll", "Glow tape"],
                  objects=[("box", (120, 90, 60)), ("round", (200, 190, 170)), ("box", (160, 20, 20)),
                           ("stand", (80, 80, 90))])
    return writers.jpeg(path, photo, taken)


def cpd_record(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", f"CPD and industry record - {a.name}"),
        ("table", [["Date", "Activity", "Use"],
                   ["03/2025", "Joined the Stage Management Association (student member)", "Newsletters and job board"],
                   ["06/2025", "SMA workshop: calling a show", "Applied on the book in previews"],
                   ["10/2025", "Theatres Trust webinar on backstage accessibility", "Updated the prop table layout"],
                   ["12/2025", "Shadowed the DSM on a QLab-operated show", "Learnt sound cue programming"]]),
        ("p", "I follow the SMA and The Stage for changes in practice and share useful notes with the team."),
    ]
    return writers.pdf(path, blocks, title="CPD record", author=a.name, created=a.at(day, 10))


def freelance_paperwork(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Freelance engagement - summer season (outside the apprenticeship contract)"),
        ("p", "With my employer's agreement I took a two-week freelance ASM engagement during the summer break. "
              "This is the paperwork I managed myself."),
        ("table", [["Document", "Detail"],
                   ["Contract", "UK Theatre / Equity ASM agreement, 2 weeks, fixed fee"],
                   ["Invoice", "INV-001, 14 days payment terms, UTR quoted for self-assessment"],
                   ["Insurance", "Public liability via union membership"],
                   ["Records", "Income and expenses logged for the tax return"]]),
        ("p", "I kept my CV and credits up to date and logged the engagement with my union for future work."),
    ]
    return writers.pdf(path, blocks, title="Freelance paperwork", author=a.name, created=a.at(day, 14))


def witness_statement(a: Apprentice, path: Path, day: date) -> Path:
    them = a.first
    blocks = [
        ("h1", "Witness statement"),
        ("fields", [("Apprentice", a.name), ("Witness", f"{a.manager}, {a.manager_role}"), ("Production", a.production)]),
        ("p", f"{them} was ASM on {a.production} from the first day of rehearsals to the end of the tour, and I "
              f"worked alongside {them} throughout."),
        ("p", f"In the rehearsal room {them} set the room each morning, kept the mark-up accurate, ran the daily "
              "call and kept the room to time so the director never waited for a scene. When the DSM was off, "
              f"{them} covered the book and kept the prompt copy up to date."),
        ("p", f"{them} worked closely with wardrobe, lighting and sound, passed on their notes the same day, and "
              "was courteous and discreet with the cast and crew backstage, as our company expects."),
        ("p", f"{them} ran the props from rehearsal props to the last performance: sourcing and buying within the "
              "props budget, keeping the petty cash and receipts, repairing the statue truck's castors and "
              "replacing the oracle seal before every show. The prop tables were always preset and checked before "
              "the half."),
        ("p", f"{them} follows our policies on and off stage: wrote the stage management risk assessment with me, "
              "checked the blunted shears were locked away, entered a trip in rehearsals in the accident book, and "
              "briefed the venue fire procedures to new company members at each get-in."),
        ("p", f"I confirm this is a true account of what I observed {them} do."),
        ("fields", [("Name", a.manager), ("Date", day.strftime("%d/%m/%Y"))]),
    ]
    return writers.docx(path, blocks, title="Witness statement", author=a.manager, created=a.at(day, 12))


def declaration(a: Apprentice, path: Path, day: date) -> Path:
    blocks = [
        ("h1", "Declaration - portfolio of evidence"),
        ("p", f"Apprentice: {a.name} (ULN {a.uln}). Employer: {a.employer}. Apprenticeship: Assistant stage manager "
              f"({a.standard}). Training provider: {a.provider}."),
        ("p", "Apprentice: I declare that the evidence in this portfolio is my own work, completed during my "
              "apprenticeship, and that anything written by others about me is marked as such."),
        ("p", f"Employer: I confirm the evidence is valid, authentic and attributable to {a.name}."),
        ("table", [["", "Name", "Signature", "Date"],
                   ["Apprentice", a.name, a.name, day.strftime("%d/%m/%Y")],
                   ["Employer", f"{a.manager} ({a.manager_role})", a.manager, day.strftime("%d/%m/%Y")]]),
    ]
    return writers.docx(path, blocks, title="Declaration", author=a.provider, created=a.at(day, 11))
