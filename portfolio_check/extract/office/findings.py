"""What the Word, PowerPoint and Excel readers report alike: the findings every package gives from its
listing and relationships (macros, embedded media, external links, pictures) and the text they
collect, up to `TEXT_LIMIT` characters per file (`_TextCollector`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from portfolio_check.extract.model import EXTERNAL_LINK, MACRO_ENABLED, EmbeddedPart, Problem
from portfolio_check.extract.office.package import _KINDS, _extension, _Package

#: Text handed on per file, in characters.
TEXT_LIMIT = 1_000_000
EXTERNAL_LINKS_LIMIT = 50
EXTERNAL_LINK_PROBLEMS_LIMIT = 10

MEDIA_EXTENSIONS = frozenset((
    "mp4", "m4v", "mov", "qt", "wmv", "avi", "mpg", "mpeg", "mpe", "mkv", "webm", "asf", "flv", "f4v", "3gp", "3g2",
    "ogv", "ts", "m2ts", "mts", "vob", "mp3", "m4a", "m4b", "aac", "wav", "wave", "wma", "ogg", "oga", "opus", "flac",
    "aif", "aiff", "aifc", "amr",
))
_VBA_PROJECT_TYPE = "application/vnd.ms-office.vbaproject"

#: External relationships whose target is content the reader needs (not a plain hyperlink),
#: by the last segment of the relationship type, with how a message calls it.
_LINKED_CONTENT = {
    "video": "a video",
    "audio": "an audio recording",
    "media": "a video or audio file",
    "online-video": "an online video",
    "image": "a picture",
    "oleobject": "an object",
    "package": "an object",
    "subdocument": "a sub-document",
}
_LINKED_MEDIA = frozenset(("video", "audio", "media", "online-video"))


def _package_findings(package: _Package, kind: str, main_part: str | None,
                      online_videos: Iterable[str] = ()) -> tuple[dict[str, Any], list[Problem], list[EmbeddedPart]]:
    """Metadata, problems and media parts that come from the listing and relationships alone."""
    problems = []
    macro = _macro_problem(package, kind, main_part)
    if macro:
        problems.append(macro)
    links, link_problems = _external_links(package, kind, online_videos)
    problems += link_problems
    media = _embedded_media(package)
    metadata: dict[str, Any] = dict(package.core)
    metadata.update(
        embedded_media_count=len(media),
        embedded_objects=sum(1 for name in package.members if "/embeddings/" in name.lower()),
        external_links=links,
    )
    return metadata, problems, media


def _macro_problem(package: _Package, kind: str, main_part: str | None) -> Problem | None:
    about = _KINDS[kind]
    has_macros = any(name.lower().endswith("vbaproject.bin") for name in package.members)
    has_macros = has_macros or _VBA_PROJECT_TYPE in package.overrides.values()
    has_macros = has_macros or (main_part is not None and "macroenabled" in package.content_type(main_part))
    if not has_macros:
        return None
    return Problem(
        MACRO_ENABLED,
        f"This {about.noun} contains macros (program code), so assessors may not be able to open it safely: "
        "many organisations block such files.",
        f"Save it as {about.extension} without macros and add that copy.",
    )


def _embedded_media(package: _Package) -> list[EmbeddedPart]:
    found = []
    for name, info in package.members.items():
        if name.lower().startswith("docprops/"):
            continue
        content_type = package.content_type(name)
        if content_type.startswith(("audio/", "video/")) or _extension(name) in MEDIA_EXTENSIONS:
            found.append(EmbeddedPart(name, info.file_size))
    return found


def _external_links(package: _Package, kind: str, online_videos: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """Hyperlinks and linked content (up to 50 targets), and a problem for each linked content target."""
    links: dict[str, None] = {}  # an ordered set
    linked: dict[str, str] = {}  # target -> what it is
    candidates = [(r.type, r.target, (r.source, r.id) in package.backed_links)
                  for r in package.relationships if r.external]
    candidates += [("online-video", url, False) for url in online_videos]
    for rel_type, target, backed in candidates:
        if not target or target.startswith("#") or target.lower().startswith("mailto:"):
            continue
        if rel_type != "hyperlink" and rel_type not in _LINKED_CONTENT:
            continue  # e.g. the template a document was made from
        links.setdefault(target)
        if rel_type in _LINKED_CONTENT and not backed and linked.get(target) in (None, "media"):
            linked[target] = rel_type  # "video" or "audio" says more than PowerPoint's companion "media"
    about = _KINDS[kind]
    problems = []
    for target, rel_type in list(linked.items())[:EXTERNAL_LINK_PROBLEMS_LIMIT]:
        thing = _LINKED_CONTENT[rel_type]
        shown = target if len(target) <= 200 else target[:197] + "..."
        if rel_type in _LINKED_MEDIA:
            remedy = "Embed the video or recording, or add it to the portfolio as a file."
        else:
            remedy = (f"Insert it into the {about.noun.split()[-1]} itself rather than linking to it, "
                      "or add it to the portfolio as a file.")
        problems.append(Problem(
            EXTERNAL_LINK,
            f"This {about.noun} links to {thing} {_where(target)} ({shown}) instead of embedding it; "
            "an assessor offline cannot see it.",
            remedy,
        ))
    return list(links)[:EXTERNAL_LINKS_LIMIT], problems


def _where(target: str) -> str:
    lowered = target.lower()
    try:
        host = (urlsplit(lowered).hostname or "") if "://" in lowered else ""
    except ValueError:
        host = ""
    if host.endswith("-my.sharepoint.com") or host.endswith(("onedrive.live.com", "1drv.ms", "d.docs.live.net")):
        return "on OneDrive"
    if host.endswith("sharepoint.com"):
        return "on SharePoint"
    if host.endswith(("youtube.com", "youtu.be", "youtube-nocookie.com")):
        return "on YouTube"
    if host.endswith(("vimeo.com", "stream.microsoft.com", "microsoftstream.com")):
        return "on a video website"
    if lowered.startswith(("http://", "https://", "ftp://")):
        return "on a website"
    if lowered.startswith("file:") or target.startswith("\\\\") or re.match(r"[a-z]:[\\/]", lowered):
        return "on a computer or network drive"
    return "in a separate file"


def _count_images(package: _Package, sources: set[str]) -> int:
    """Distinct picture parts used by the given parts (not the thumbnail, masters or layouts)."""
    return len({r.target for r in package.relationships
                if r.source in sources and not r.external and r.target in package.members
                and package.content_type(r.target).startswith("image/")})


class _TextCollector:
    """Lines of text up to TEXT_LIMIT characters; what does not fit is dropped."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.length = 0
        self.truncated = False

    def add(self, line: str) -> None:
        room = TEXT_LIMIT - self.length
        if self.truncated or room <= 0:
            self.truncated = True
            return
        if len(line) > room:
            line = line[:room]
            self.truncated = True
        self.lines.append(line)
        self.length += len(line) + 1

    def value(self) -> str:
        return "\n".join(self.lines)[:TEXT_LIMIT]
