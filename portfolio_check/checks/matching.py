"""Which portfolio files a manifest's file names mean. Pure: works on paths, never opens a file.

Providers name files in a manifest the way they see them: with or without the sub-folder, in
another case, with Windows backslashes, without the extension, as a SharePoint or OneDrive link,
as a folder meaning everything in it, or several to a cell. `match_files` resolves each name the
manifest gives to portfolio paths, trying, in order:

1. the exact path (ignoring case, ``\\`` or ``/``, Unicode composition, a leading ``./``; a file in a
   zip may be named ``evidence.zip/a.docx`` or ``evidence.zip!/a.docx``);
2. the end of a path (``week3/call sheet.docx`` for ``Sam/week3/call sheet.docx``) or a bare file
   name, when exactly one file fits;
3. a folder: every file under it (the folder's full path, or its name when exactly one folder has it);
4. the name without its extension, when exactly one file fits;
5. a link (SharePoint, OneDrive, any URL): the file it names (the ``id`` or ``file`` query parameter
   when there is one, else the last segments of its path, URL-decoded), then as above;
6. a cell listing several names (commas, semicolons, new lines): split where the parts name files,
   keeping commas that belong to a name (``Report, final.docx``).

When nothing fits, or several files fit equally, the `Match` has no paths, lists the
``candidates`` that fit equally, and ``suggestions`` for "did you mean ..." (closest names by
`difflib`).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

#: How a name was resolved (`Match.how`).
EXACT = "exact"
PATH_END = "path-end"
FILE_NAME = "file-name"
FOLDER = "folder"
NO_EXTENSION = "no-extension"
LINK = "link"
LISTED = "listed"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not-found"

#: Names split into at most this many parts when a cell lists several.
MAX_LIST_PARTS = 60
#: Suggestions offered for a name that matches nothing.
MAX_SUGGESTIONS = 3
_SUGGESTION_CUTOFF = 0.6
_LIST_SEPARATORS = re.compile(r"\s*(?:[,;\n\r|])\s*")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


@dataclass(frozen=True)
class Match:
    """What one manifest file name resolves to."""

    #: The name as the manifest gives it.
    name: str
    #: Portfolio paths it means, in portfolio order; empty when nothing, or several files equally, fit.
    paths: tuple[str, ...]
    #: How: ``exact``, ``path-end``, ``file-name``, ``folder``, ``no-extension``, ``link`` (then ``via``
    #: says how the link's file was found), ``listed`` (see ``parts``), ``ambiguous`` or ``not-found``.
    how: str
    #: For ``ambiguous``: the paths that fit equally well, so a message can list them.
    candidates: tuple[str, ...] = ()
    #: For ``ambiguous`` and ``not-found``: the closest portfolio paths, for "did you mean ...".
    suggestions: tuple[str, ...] = ()
    #: For ``listed``: one match per name the cell lists.
    parts: tuple[Match, ...] = ()
    #: For ``link``: how the name in the link was resolved (``exact``, ``file-name``...).
    via: str | None = None

    @property
    def found(self) -> bool:
        """True when every name it stands for resolved to files."""
        return all(leaf.paths for leaf in self.leaves())

    def leaves(self) -> Iterator[Match]:
        """This match, or for a listed cell each of its parts: the names a message can be about."""
        if self.how == LISTED:
            for part in self.parts:
                yield from part.leaves()
        else:
            yield self


def match_files(names: Sequence[str], portfolio_paths: Sequence[str]) -> list[Match]:
    """One `Match` per manifest name, in order. ``portfolio_paths`` are the evidence files' paths
    (leave out the manifest and the details file so they cannot be matched)."""
    matcher = FileMatcher(portfolio_paths)
    return [matcher.match(name) for name in names]


def _key(text: str) -> str:
    """A path compared ignoring case, separators, Unicode composition, ``./`` and zip markers."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\\", "/").replace("!/", "/")
    text = re.sub(r"/{2,}", "/", text.strip())
    text = re.sub(r"^(?:\./)+", "", text).strip("/")
    return "/".join(part.strip() for part in text.split("/")).casefold()


def _stem(key: str) -> str:
    base, _, name = key.rpartition("/")
    match = _EXTENSION.search(name)
    stem = name[: match.start()] if match and match.start() > 0 else name
    return f"{base}/{stem}" if base else stem


class FileMatcher:
    """Resolves manifest names against one portfolio's paths (indexes built once)."""

    def __init__(self, portfolio_paths: Sequence[str]) -> None:
        self.paths = list(dict.fromkeys(portfolio_paths))
        self.order = {path: index for index, path in enumerate(self.paths)}
        self.by_key: dict[str, list[str]] = {}
        self.by_name: dict[str, list[str]] = {}
        self.by_stem: dict[str, list[str]] = {}
        self.folders: dict[str, list[str]] = {}
        self.folders_by_name: dict[str, list[str]] = {}
        for path in self.paths:
            key = _key(path)
            self.by_key.setdefault(key, []).append(path)
            self.by_name.setdefault(key.rsplit("/", 1)[-1], []).append(path)
            self.by_stem.setdefault(_stem(key).rsplit("/", 1)[-1], []).append(path)
            parts = key.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                folder = "/".join(parts[:depth])
                self.folders.setdefault(folder, []).append(path)
        for folder in self.folders:
            self.folders_by_name.setdefault(folder.rsplit("/", 1)[-1], []).append(folder)

    def match(self, name: str) -> Match:
        """Resolve one name as the manifest gives it (see the module docstring)."""
        text = name.strip().strip('"').strip("'").strip()
        if not text:
            return Match(name, (), NOT_FOUND)
        found = self._single(text)
        if found.paths or found.how == AMBIGUOUS or not _LIST_SEPARATORS.search(text):
            return Match(name, found.paths, found.how, found.candidates, found.suggestions, via=found.via)
        listed = self._listed(text)
        if listed is not None:
            return Match(name, tuple(dict.fromkeys(p for part in listed for p in part.paths)), LISTED, parts=listed)
        return Match(name, (), found.how, found.candidates, found.suggestions, via=found.via)

    # --- one name -------------------------------------------------------------------------------

    def _single(self, text: str) -> Match:
        if _URL.match(text):
            return self._link(text)
        key = _key(text)
        if not key:
            return Match(text, (), NOT_FOUND)
        exact = self.by_key.get(key)
        if exact:
            return Match(text, tuple(exact), EXACT) if len(exact) == 1 else self._ambiguous(text, exact)
        name = key.rsplit("/", 1)[-1]
        if "/" in key:
            ends = [p for p in self.by_name.get(name, []) if _key(p).endswith("/" + key)]
            if len(ends) == 1:
                return Match(text, tuple(ends), PATH_END)
            if len(ends) > 1:
                return self._ambiguous(text, ends)
        else:
            named = self.by_name.get(name, [])
            if len(named) == 1:
                return Match(text, tuple(named), FILE_NAME)
            if len(named) > 1:
                return self._ambiguous(text, named)
        folder = self._folder(text, key)
        if folder is not None:
            return folder
        stems = [p for p in self.by_stem.get(name, []) if "/" not in key or _stem(_key(p)).endswith(key)]
        if len(stems) == 1:
            return Match(text, tuple(stems), NO_EXTENSION)
        if len(stems) > 1:
            return self._ambiguous(text, stems)
        return Match(text, (), NOT_FOUND, suggestions=self._suggest(key))

    def _folder(self, text: str, key: str) -> Match | None:
        if key in self.folders:
            return Match(text, self._ordered(self.folders[key]), FOLDER)
        if "/" in key:
            ends = [f for f in self.folders_by_name.get(key.rsplit("/", 1)[-1], []) if f.endswith("/" + key)]
        else:
            ends = self.folders_by_name.get(key, [])
        if len(ends) == 1:
            return Match(text, self._ordered(self.folders[ends[0]]), FOLDER)
        if len(ends) > 1:
            return Match(text, (), AMBIGUOUS, candidates=tuple(f"{f}/" for f in sorted(ends)))
        return None

    def _link(self, url: str) -> Match:
        try:
            parts = urlsplit(url)
            query = parse_qs(parts.query)
        except ValueError:
            return Match(url, (), NOT_FOUND)
        named = next((query[k][0] for k in ("id", "file", "sourcedoc", "path") if query.get(k)), None)
        raw_path = named if named and not named.startswith("{") else parts.path
        segments = [unquote(s) for s in unquote(raw_path).split("/") if s]
        if not segments:
            return Match(url, (), NOT_FOUND)
        # The longest tail of the link's path that resolves wins: "Sam/week3/a.docx", then "week3/a.docx"...
        best: Match | None = None
        for start in range(len(segments)):
            tail = "/".join(segments[start:])
            found = self._single(tail)
            if found.paths:
                return Match(url, found.paths, LINK, via=found.how)
            if best is None and found.how == AMBIGUOUS and start == len(segments) - 1:
                best = found
        if best is not None:
            return Match(url, (), AMBIGUOUS, best.candidates, best.suggestions, via=LINK)
        return Match(url, (), NOT_FOUND, suggestions=self._suggest(_key(segments[-1])), via=LINK)

    def _ambiguous(self, text: str, paths: Sequence[str]) -> Match:
        ordered = self._ordered(paths)
        return Match(text, (), AMBIGUOUS, candidates=ordered, suggestions=ordered[:MAX_SUGGESTIONS])

    def _ordered(self, paths: Sequence[str]) -> tuple[str, ...]:
        return tuple(sorted(dict.fromkeys(paths), key=lambda p: self.order.get(p, 0)))

    def _suggest(self, key: str) -> tuple[str, ...]:
        """The closest paths to a name that matched nothing: by file name, then by whole path."""
        name = key.rsplit("/", 1)[-1]
        close = difflib.get_close_matches(name, list(self.by_name), n=MAX_SUGGESTIONS, cutoff=_SUGGESTION_CUTOFF)
        found = [p for c in close for p in self.by_name[c]]
        if len(found) < MAX_SUGGESTIONS:
            stem_close = difflib.get_close_matches(_stem(name), list(self.by_stem), n=MAX_SUGGESTIONS,
                                                   cutoff=_SUGGESTION_CUTOFF)
            found += [p for c in stem_close for p in self.by_stem[c]]
        if len(found) < MAX_SUGGESTIONS and "/" in key:
            keys = {_key(p): p for p in self.paths}
            found += [keys[c] for c in difflib.get_close_matches(key, list(keys), n=MAX_SUGGESTIONS,
                                                                 cutoff=_SUGGESTION_CUTOFF)]
        return tuple(dict.fromkeys(found))[:MAX_SUGGESTIONS]

    # --- a cell listing several names -----------------------------------------------------------

    def _listed(self, text: str) -> tuple[Match, ...] | None:
        """Split a cell into the names it lists, keeping separators that belong to a name.

        Of all the ways to cut the cell at its separators, the one whose pieces resolve the most of the
        cell wins (then the fewest pieces). Parts left unresolved stay one name unless each looks like a
        file name with an extension or a link, so "Report, final.docx" missing is reported as written.
        """
        pieces: list[str] = []
        separators: list[str] = []
        position = 0
        for match in _LIST_SEPARATORS.finditer(text):
            pieces.append(text[position:match.start()])
            separators.append(match.group(0))
            position = match.end()
        pieces.append(text[position:])
        if len(pieces) < 2 or len(pieces) > MAX_LIST_PARTS:
            return None
        count = len(pieces)
        cache: dict[tuple[int, int], Match] = {}

        def joined(i: int, j: int) -> str:
            return "".join(pieces[k] + (separators[k] if k < j - 1 else "") for k in range(i, j)).strip()

        def resolve(i: int, j: int) -> Match:
            if (i, j) not in cache:
                cache[(i, j)] = self._single(joined(i, j)) if joined(i, j) else Match("", (), NOT_FOUND)
            return cache[(i, j)]

        def resolved(found: Match) -> bool:
            # A part of a list must name its file: "Report" finding Report.pdf by its stem is a guess
            # when the cell may be one name holding a comma ("Report, draft.docx").
            return bool(found.paths) and (found.how != NO_EXTENSION and found.via != NO_EXTENSION)

        # best[i]: (parts covered by resolved names, -number of names) for pieces[i:], and the cuts.
        best: list[tuple[tuple[int, int], list[tuple[int, int, bool]]]] = [((0, 0), [])] * (count + 1)
        for i in range(count - 1, -1, -1):
            options = []
            for j in range(i + 1, count + 1):
                good = resolved(resolve(i, j))
                score, cuts = best[j]
                options.append(((score[0] + (j - i if good else 0), score[1] - 1), [(i, j, good), *cuts]))
            best[i] = max(options, key=lambda option: option[0])
        (covered, _), cuts = best[0]
        if covered == 0:
            texts = [piece.strip() for piece in pieces if piece.strip()]
            if len(texts) > 1 and all(_EXTENSION.search(t) or _URL.match(t) for t in texts):
                return tuple(self._single(t) for t in texts)
            return None
        parts: list[Match] = []
        pending: list[int] = []  # indexes of unresolved pieces in a row

        def flush() -> None:
            if not pending:
                return
            texts = [pieces[k].strip() for k in pending if pieces[k].strip()]
            if all(_EXTENSION.search(t) or _URL.match(t) for t in texts):
                parts.extend(self._single(t) for t in texts)
            else:
                whole = joined(pending[0], pending[-1] + 1)
                if whole:
                    parts.append(self._single(whole))
            pending.clear()

        for i, j, good in cuts:
            if good:
                flush()
                parts.append(resolve(i, j))
            else:
                pending.extend(range(i, j))
        flush()
        return tuple(parts)
