"""Formatting shared by the checks' messages and the reports: durations, sizes, counts, ranges.

It sits below both stages so a rule and a report write a figure the same way without either
importing the other.
"""

from __future__ import annotations

#: Control characters (C0 but newline, DEL, C1) shown as escapes in terminal output: a file name
#: holding ESC sequences must not be able to rewrite the user's screen.
_CONTROL = {code: f"\\x{code:02x}" for code in [*range(0x00, 0x0A), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}


def terminal_safe(text: str) -> str:
    """``text`` with control characters written as visible escapes (``\\x1b``), for a terminal."""
    return text.translate(_CONTROL)


def format_duration(seconds: float) -> str:
    """``600`` -> ``10 min``; ``552.4`` -> ``9 min 12 s``."""
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    if minutes and secs:
        return f"{minutes} min {secs} s"
    return f"{minutes} min" if minutes else f"{secs} s"


def human_size(size: int) -> str:
    """``2048`` -> ``2.0 KB`` (binary multiples, as file managers show them)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{size} B"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 error``, ``3 errors``."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def range_text(low: float | None, high: float | None) -> str:
    """``18 to 20``, ``exactly 5``, ``at least 3``, ``at most 20``."""
    if low is not None and high is not None:
        return f"{low:g} to {high:g}" if low != high else f"exactly {low:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def join_words(items: list[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def sentence(text: str) -> str:
    """``text`` ending in exactly one full stop (messages are joined from parts that may already end in one)."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."
