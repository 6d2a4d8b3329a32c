"""Which file of a portfolio is its manifest: the names that may be one, and `choose_manifest`, which
sets aside copies, older versions and drafts."""

from __future__ import annotations

import re
from collections.abc import Iterable

from portfolio_check.extract.manifest.model import MANIFEST_SUFFIXES, ManifestChoice, SetAside

#: Marks of a copy or an older version in a file name (the stem, lower case), with the reason given.
_COPY_MARKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\s*\(\d+\)$"), "a copy (a number in brackets at the end of its name)"),
    (re.compile(r"[\s_-]+copy(?:\s*\(?\d+\)?)?$"), "a copy ('Copy' in its name)"),
    (re.compile(r"^copy\s+(?:\(\d+\)\s+)?of\s+"), "a copy ('Copy of' in its name)"),
    (re.compile(r"(?:^|[\s_.-])(?:old|older|previous|superseded|archived?)(?:$|[\s_.-])"),
     "an older version ('old' in its name)"),
    (re.compile(r"^old[_-]"), "an older version ('old' in its name)"),
    (re.compile(r"(?:^|[\s_.-])(?:backup|bak)(?:$|[\s_.-])"), "a backup"),
    (re.compile(r"(?:^|[\s_.-])draft(?:$|[\s_.-])"), "a draft"),
)
_FOLDER_MARKS = re.compile(r"^(?:old|older|previous|superseded|archived?|backups?|drafts?|copies)\b")
_VERSION = re.compile(r"(?:^|[\s_(.-])(?:v|ver|version)\s*\.?\s*(\d+(?:\.\d+)*)(?=$|[\s_).-])")
_FINAL = re.compile(r"(?:^|[\s_(.-])final(?:$|[\s_).-])")


def _stem(path: str) -> tuple[str, str]:
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return (name[:dot], name[dot:].lower()) if dot > 0 else (name, "")


def is_manifest_name(path: str) -> bool:
    """A file whose name says it is a manifest: 'manifest' or 'mapping' in it, and a manifest suffix."""
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith(MANIFEST_SUFFIXES) and ("manifest" in name or "mapping" in name) and not name.startswith("~$")


def choose_manifest(paths: Iterable[str]) -> ManifestChoice:
    """Rank the files that look like manifests and set aside copies and older versions.

    Candidates: names holding 'manifest' or 'mapping' with a suffix of `MANIFEST_SUFFIXES`. Set
    aside: names marked as copies (``(1)``, ``- Copy``, ``Copy of``), older versions (``OLD``,
    ``old_``, a lower ``v1`` beside a higher ``v2`` of the same name, a file in an ``Old`` folder),
    backups and drafts; a file marked ``final`` beats unmarked ones. Word documents are candidates only
    when no other kind is (a 'mapping guidance.docx' beside a spreadsheet is not a manifest). If
    everything is marked, the best marked one is used. Best first: the root before sub-folders and
    zips, 'manifest' before 'mapping', then by suffix (`MANIFEST_SUFFIXES` order), then by path.
    """
    candidates = sorted(dict.fromkeys(p for p in paths if is_manifest_name(p)), key=_rank)
    if not candidates:
        return ManifestChoice(None)
    set_aside: dict[str, str] = {}
    for path in candidates:
        stem, _ = _stem(path)
        lowered = stem.lower().strip()
        reason = next((why for pattern, why in _COPY_MARKS if pattern.search(lowered)), None)
        folders = path.lower().replace("!/", "/").split("/")[:-1]
        if reason is None and any(_FOLDER_MARKS.match(folder.strip()) for folder in folders):
            reason = "kept in a folder for old copies"
        if reason:
            set_aside[path] = reason
    pool = [p for p in candidates if p not in set_aside]
    # Versions of the same name: only the highest is current.
    by_base: dict[str, list[tuple[tuple[int, ...], str]]] = {}
    for path in pool:
        stem = _stem(path)[0]
        match = _VERSION.search(stem.lower())
        if match:
            base = (stem.lower()[: match.start()] + stem.lower()[match.end():]).strip(" _-.()")
            version = tuple(int(part) for part in match.group(1).split(".")[:4])
            folder = path.rsplit("/", 1)[0] if "/" in path else ""
            by_base.setdefault(f"{folder}/{base}", []).append((version, path))
    for versions in by_base.values():
        if len(versions) > 1:
            highest = max(versions)
            for version, path in versions:
                if version < highest[0]:
                    set_aside[path] = (f"an older version (v{'.'.join(map(str, version))}; "
                                       f"v{'.'.join(map(str, highest[0]))} is kept)")
    pool = [p for p in pool if p not in set_aside]
    finals = [p for p in pool if _FINAL.search(_stem(p)[0].lower())]
    if finals and len(finals) < len(pool):
        for path in pool:
            if path not in finals:
                set_aside[path] = "not the one marked final"
        pool = finals
    strong = [p for p in pool if not p.lower().endswith(".docx")]
    if strong and len(strong) < len(pool):
        for path in pool:
            if path not in strong:
                set_aside[path] = "a Word document beside a spreadsheet or data manifest"
        pool = strong
    if not pool:  # everything is marked: use the best of them
        chosen = candidates[0]
        del set_aside[chosen]
        rivals: list[str] = []
    else:
        chosen, rivals = pool[0], pool[1:]
    return ManifestChoice(chosen=chosen, set_aside=tuple(SetAside(p, set_aside[p]) for p in candidates if p in set_aside),
                          rivals=tuple(rivals), ranked=tuple(candidates))


def _rank(path: str) -> tuple[bool, int, bool, int, str]:
    name = path.rsplit("/", 1)[-1].lower()
    suffix = next(i for i, s in enumerate(MANIFEST_SUFFIXES) if name.endswith(s))
    return ("!/" in path, path.count("/"), "manifest" not in name, suffix, path)

