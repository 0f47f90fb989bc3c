"""Text from a register on its way out: the one place control and bidi characters are named,
refused in checked fields and escaped at every printer and XML writer (issue 9 item 10).

A record, people.yaml or a git author name can hold any character. Printed raw, an escape
sequence repaints an approver's terminal or writes to their clipboard (OSC 52), a bidi
override (U+202E) makes text read backwards, and a character XML 1.0 forbids breaks a JUnit
report. So free text is stored without them where coc checks it, and shown with them spelled
out (`\\x1b`, `\\u202e`) everywhere, checked or not.
"""
from __future__ import annotations

import re

# C0 controls except tab and line feed, DEL, C1 controls (U+009B is a one-byte CSI), and lone
# surrogates (argv bytes that were not UTF-8). Tabs and line breaks are plain text.
_CONTROL = r"\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
# Bidi embeddings, overrides, isolates and marks; line/paragraph separators (they end a line
# in some terminals and editors); U+FFFE/FFFF, which are not characters at all.
_BIDI = r"\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff"
CONTROL_RE = re.compile(f"[{_CONTROL}{_BIDI}]")
_UNSAFE_LINE = re.compile(f"[{_CONTROL}{_BIDI}\n\t]")


def control_character(text: str) -> str | None:
    """Why free text cannot be stored as typed (a control or bidi character in it), or None."""
    bad = CONTROL_RE.search(text)
    if bad is None:
        return None
    return f"contains the control character {_spelled(bad.group())}; type plain text"


def _spelled(char: str) -> str:
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object, *, one_line: bool = False) -> str:
    """`value` as text safe for a terminal: control and bidi characters spelled out; with
    `one_line`, line breaks and tabs too (so a value cannot fake a line of output)."""
    text = value if isinstance(value, str) else str(value)
    pattern = _UNSAFE_LINE if one_line else CONTROL_RE
    return pattern.sub(lambda m: _spelled(m.group()), text)


def json_safe(text: str) -> str:
    """A JSON document with the characters JSON leaves raw (C1, bidi) as \\u escapes; they can
    only be inside strings, so the document means the same."""
    return CONTROL_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def xml_text(value: object) -> str:
    """Text for an XML 1.0 element or attribute: characters XML forbids, and control and bidi
    characters, spelled out (a report must parse, and CI shows it in a terminal or a browser),
    then `&`, `<`, `>` and quotes escaped."""
    from xml.sax.saxutils import escape

    return escape(printable(value), {'"': "&quot;", "'": "&apos;"})


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet skips what it does not show before a formula, and reads fullwidth ＝＋－＠ (and
# other compatibility forms NFKC folds to them) as the plain signs: both are looked past.
_HIDDEN_LEAD = re.compile(r"^[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                          r"\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f"
                          r"\ufeff\uffa0\ufff0-\ufffb]+")


def looks_like_formula(text: str) -> bool:
    """A cell a spreadsheet would run as a formula (OWASP CSV injection): it starts with a
    formula sign, a fullwidth or compatibility form of one, or anything invisible or blank
    that a spreadsheet may look past. Exports neutralise such cells; imports refuse them."""
    if text[:1].isascii() and text[:1].isalnum():   # most cells: no sign, nothing hidden
        return False
    import unicodedata

    first = unicodedata.normalize("NFKC", text[:1])
    return bool(first.startswith(FORMULA_START) or _HIDDEN_LEAD.match(text) or
                (text[:1] and unicodedata.category(text[0]) in ("Cf", "Cc", "Co", "Cn")))
