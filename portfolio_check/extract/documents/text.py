"""Plain text, CSV, RTF, HTML, JSON, XML and YAML files: their text and encoding (`extract_text`)."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from typing import BinaryIO

from portfolio_check.extract.documents.common import MAX_TEXT_CHARS, _require_content
from portfolio_check.extract.model import Extraction

#: Bytes of a text file that are read.
TEXT_READ_BYTES = 4 * 1024**2


def extract_text(stream: BinaryIO, size: int) -> Extraction:
    """The text of a plain-text, CSV, RTF, HTML, JSON, XML or YAML file, and its encoding.

    Reads at most `TEXT_READ_BYTES`. The encoding is taken from a byte-order mark, else UTF-8 if
    the bytes are valid UTF-8, else Windows-1252 (what Notepad and Excel save in the UK). RTF
    control words and HTML tags are removed so the words can be searched.
    """
    _require_content(size, "text file")
    data = stream.read(TEXT_READ_BYTES)
    cut_short = size > len(data)
    encoding, decoded = _decode(data, final=not cut_short)
    markup = _markup(decoded)
    if markup == "rtf":
        text = _rtf_to_text(decoded)
    elif markup == "html":
        text = _html_to_text(decoded)
    else:
        text = decoded
    truncated = cut_short or len(text) > MAX_TEXT_CHARS
    text = text[:MAX_TEXT_CHARS]
    metadata = {
        "encoding": encoding,
        "markup": markup,
        "characters": len(text),
        "lines": text.count("\n") + (1 if text and not text.endswith("\n") else 0),
        "truncated": truncated,
    }
    return Extraction(metadata=metadata, text=text)


BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _decode(data: bytes, final: bool = True) -> tuple[str, str]:
    """(encoding, text); ``final`` is False when the bytes were cut mid-file (maybe mid-character)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
            return encoding, decoder.decode(data[len(bom):], final=final)
    try:
        return "utf-8", codecs.getincrementaldecoder("utf-8")(errors="strict").decode(data, final=final)
    except UnicodeDecodeError:
        return "cp1252", data.decode("cp1252", errors="replace")


#: An HTML page starts, after comments or an XML declaration, with its doctype or first element.
HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html\b|<head\b|<body\b)", re.I | re.S
)


def _markup(text: str) -> str | None:
    start = text[:4096]
    if start.lstrip().startswith("{\\rtf"):
        return "rtf"
    if HTML_START.match(start):
        return "html"
    return None


# Control words whose group holds no document text (fonts, styles, pictures, field codes...).
RTF_SKIPPED_DESTINATIONS = frozenset(
    "aftncn aftnsep aftnsepc annotation atnauthor atndate atnicn atnid atnparent atnref atntime "  # noqa: SIM905
    "atrfend atrfstart author background bkmkend bkmkstart blipuid buptim category colorschememapping "
    "colortbl comment company creatim datafield datastore defchp defpap do doccomm docvar dptxbxtext "
    "ebcend ebcstart factoidname falt fchars ffdeftext ffentrymcr ffexitmcr ffformat ffhelptext ffl "
    "ffname ffstattext file filetbl fldinst fldtype fname fontemb fontfile fonttbl footnote formfield "
    "ftncn ftnsep ftnsepc g generator gridtbl hl hlfr hlinkbase hlloc hlsrc hsv htmltag info keycode "
    "keywords latentstyles lchars levelnumbers leveltext lfolevel linkval list listlevel listname "
    "listoverride listoverridetable listpicture liststylename listtable listtext lsdlockedexcept "
    "macc maccPr mailmerge manager mmaddfieldname mmathPr mmconnectstr mmconnectstrdata mmdatasource "
    "mmheadersource mmodso mmodsofldmpdata mmodsofmt mmquery nesttableprops nextfile nonesttables "
    "objalias objclass objdata object objname objsect objtime oldcprops oldpprops oldsprops oldtprops "
    "oleclsid operator panose password passwordhash pgp pgptbl picprop pict pn pnseclvl pntext pntxta "
    "pntxtb printim private propname protend protstart protusertbl pxe result revtbl revtim rsidtbl "
    "rxe shp shpgrp shpinst shppict shprslt shptxt sn sp staticval stylesheet subject sv svb tc "
    "template themedata title txe ud upr userprops wgrffmtfilter windowcaption writereservation "
    "writereservhash xe xform xmlattrname xmlattrvalue xmlclose xmlname xmlnstbl xmlopen".split()
)
RTF_SPECIAL = {"par": "\n", "line": "\n", "sect": "\n\n", "page": "\n\n", "row": "\n", "tab": "\t", "cell": "\t",
               "emdash": "\u2014", "endash": "\u2013", "lquote": "\u2018", "rquote": "\u2019",
               "ldblquote": "\u201c", "rdblquote": "\u201d", "bullet": "\u2022", "emspace": " ", "enspace": " "}
#: One RTF token: control word (with argument), \'hh byte, control symbol, brace, line break, or text.
RTF_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|\r\n|\r|\n|([^\\{}\r\n]+)", re.S
)


def _rtf_to_text(rtf: str) -> str:
    """The visible text of an RTF document: one pass over its tokens, skipping non-text groups.

    Handles ``\\'hh`` bytes (in the document's ``\\ansicpg`` code page), ``\\uN`` Unicode with its
    ``\\ucN`` fallback characters, and special characters; tables become tab-separated lines.
    """
    out: list[str] = []
    stack: list[tuple[bool, int]] = []
    skipping = False
    fallback_chars = 1  # characters after \uN that stand in for readers without Unicode
    to_skip = 0
    code_page = "cp1252"
    pending_bytes = bytearray()
    group_start = False

    def flush() -> None:
        if pending_bytes:
            out.append(pending_bytes.decode(code_page, errors="replace"))
            pending_bytes.clear()

    for match in RTF_TOKEN.finditer(rtf):
        word, argument, hex_byte, symbol, brace, plain = match.groups()
        starts_group = group_start
        group_start = False
        if hex_byte is not None:
            if to_skip:
                to_skip -= 1
            elif not skipping:
                pending_bytes.append(int(hex_byte, 16))
            continue
        flush()
        if brace == "{":
            stack.append((skipping, fallback_chars))
            group_start = True
            to_skip = 0
        elif brace == "}":
            if stack:
                skipping, fallback_chars = stack.pop()
            to_skip = 0
        elif symbol is not None:
            if symbol == "*" and starts_group:
                skipping = True  # \* marks a destination readers may ignore
            elif to_skip:
                to_skip -= 1
            elif not skipping:
                out.append({"~": "\u00a0", "_": "-", "-": "", "\\": "\\", "{": "{", "}": "}"}.get(symbol, ""))
        elif word is not None:
            if word in RTF_SKIPPED_DESTINATIONS and starts_group:
                skipping = True
            elif word == "ansicpg" and argument:
                candidate = f"cp{int(argument)}"
                try:
                    codecs.lookup(candidate)
                    code_page = candidate
                except LookupError:
                    pass
            elif word == "uc" and argument:
                fallback_chars = max(0, int(argument))
            elif word == "u" and argument:
                if not skipping:
                    code = int(argument)
                    out.append(chr(code + 65536 if code < 0 else code) if -32768 <= code < 65536 else "\ufffd")
                to_skip = fallback_chars
            elif not skipping and word in RTF_SPECIAL:
                out.append(RTF_SPECIAL[word])
        elif plain is not None:
            if to_skip:
                skipped = min(to_skip, len(plain))
                plain = plain[skipped:]
                to_skip -= skipped
            if not skipping and plain:
                out.append(plain)
    flush()
    return "".join(out)


class _HtmlText(HTMLParser):
    """Collects the visible text of an HTML page: scripts and styles are dropped."""

    HIDDEN = frozenset({"script", "style", "template", "head", "title", "svg", "object", "iframe"})
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
                        "article", "header", "footer", "blockquote", "pre", "hr", "dt", "dd", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0
        self.size = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth and self.size < MAX_TEXT_CHARS:
            self.parts.append(data)
            self.size += len(data)


def _html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; keep what was read if it gives up
        pass
    text = "".join(parser.parts)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
