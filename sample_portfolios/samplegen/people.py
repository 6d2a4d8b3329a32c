"""The fictional apprentices, employers and productions the samples are about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time


@dataclass(frozen=True)
class Apprentice:
    """One apprentice and the production their evidence comes from. All names are invented."""

    name: str
    uln: str
    employer: str
    manager: str
    manager_role: str
    production: str
    #: What kind of production it is, for sentences ("a six-part factual series for Channel 4").
    production_kind: str
    base: str
    location: str
    start: date
    gateway: date
    option: str
    standard: str = "ST0792"
    version: str = "1.2"
    provider: str = "Northgate Creative Skills"
    #: A second colleague who writes witness statements and signs off paperwork.
    colleague: str = ""
    colleague_role: str = ""
    town: str = ""
    region: str = ""
    hospital: str = ""

    @property
    def first(self) -> str:
        return self.name.split()[0]

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split())

    @property
    def manager_first(self) -> str:
        return self.manager.split()[0]

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        """When a file was saved, for core properties and EXIF."""
        return datetime.combine(day, time(hour, minute))


PRIYA = Apprentice(
    name="Priya Chandran", uln="4826193059", employer="Harbourlight Pictures Ltd", manager="Gareth Lewis",
    manager_role="Production Manager", production="Tidelines (series 2)",
    production_kind="a six-part factual series about Britain's working harbours",
    base="Harbourlight Pictures, 14 Dock Street, Bristol BS1 4RB", location="Brixham Harbour, Devon",
    start=date(2024, 9, 2), gateway=date(2026, 3, 16), option="production-coordinator",
    colleague="Nadia Okoro", colleague_role="Line Producer", town="Brixham", region="Bristol and the South West",
    hospital="Torbay Hospital, Lawes Bridge, Torquay TQ2 7AA (20 minutes); minor injuries at Brixham Hospital")

TOM = Apprentice(
    name="Tom Okafor", uln="5730281640", employer="Lanternfish Post Ltd", manager="Helen Marsh",
    manager_role="Head of Production", production="The Quiet Coast",
    production_kind="a 4 x 60' drama series in post-production for a streaming service",
    base="Lanternfish Post, 3 Ancoats Yard, Manchester M4 6DE", location="Lanternfish Post, Manchester",
    start=date(2024, 10, 7), gateway=date(2026, 4, 13), option="post-production-coordinator",
    colleague="Ravi Desai", colleague_role="Post Producer")

CALLUM = Apprentice(
    name="Callum Reid", uln="7041829366", employer="Kittiwake Films Ltd", manager="Fiona Grant",
    manager_role="Production Manager", production="Fishing Towns",
    production_kind="a four-part factual series about Cornish fishing communities",
    base="Kittiwake Films, 8 Lemon Quay, Truro TR1 2LW", location="Newlyn Harbour, Cornwall",
    start=date(2024, 9, 16), gateway=date(2026, 3, 30), option="production-coordinator",
    colleague="Ian McLeod", colleague_role="Series Producer", town="Newlyn", region="Cornwall",
    hospital="West Cornwall Hospital, St Clare Street, Penzance TR18 2PF (10 minutes)")

MAYA = Apprentice(
    name="Maya Brennan", uln="8150364276", employer="Larkspur Theatre Company", manager="Joanna Pike",
    manager_role="Company Stage Manager", production="The Winter's Tale",
    production_kind="a mid-scale touring production of Shakespeare's The Winter's Tale",
    base="Larkspur Theatre, 22 Castle Street, Norwich NR2 1PJ", location="Larkspur Theatre, Norwich",
    start=date(2024, 9, 9), gateway=date(2026, 2, 23), option="", standard="ST1457", version="0.1",
    colleague="Sam Whitfield", colleague_role="Deputy Stage Manager")
