"""Chinese line breaking for drawn text: kinsoku rules, unbreakable numbers and words, no orphans,
breaks after punctuation preferred in centred text, balanced lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Kinsoku rules (GB/T 15834 and common practice): closing punctuation never starts a line,
# opening punctuation never ends one.
NO_LINE_START = frozenset("，。、；：？！）」』》〉】”’…—·%,.;:?!)]}～")
NO_LINE_END = frozenset("（「『《〈【“‘([{")

# Characters that glue letters and digits into one unbreakable token, so phone numbers,
# amounts, dates, times and codes ("138****5678", "1,234.50", "2026-11-22") stay whole.
_JOINERS = frozenset(".,%*+-/:@_'’¥￥#")
_PREFIXES = frozenset("¥￥#")  # bind to the number that follows: "¥1,234.50", "#110"
_SUFFIXES = frozenset("%％")  # bind to the number before: "50%"

# Where a centred line ends best: after a clause, not in the middle of a phrase (高 / 额回报).
SOFT_BREAK_AFTER = frozenset("，、。；：！？,;:!?")
PHRASE_FILL = 0.6  # ... as long as the line is still at least this full
ORPHAN_SHARE = 0.3  # a last line narrower than this share of the width, of 1-2 characters, is an orphan
OPENING = frozenset("“‘「『《〈【（")  # hang into the margin at a line start (see Canvas)
CLOSING = frozenset("，。、；：！？”’」』》〉】）")  # full-width, blank on the right: centred by their ink


def _is_alnum(char: str) -> bool:
    # Latin/Greek/Cyrillic letters and digits; CJK ideographs and full-width forms are
    # excluded because Chinese may break between any two of them.
    return unicodedata.category(char) in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Nl") and (
        unicodedata.east_asian_width(char) not in ("W", "F")
    )


def _char_class(char: str) -> str:
    if char.isspace():
        return "s"
    if _is_alnum(char):
        return "a"
    if char in _PREFIXES:
        return "p"
    if char in _SUFFIXES:
        return "%"
    return "j" if char in _JOINERS else "x"


# Matched against the string of character classes, one letter per character.
_TOKEN = re.compile(r"s+|p*a+(?:[pj%]+a+)*%*|.", re.DOTALL)


def _tokens(paragraph: str) -> list[str]:
    """Split at every break opportunity: whitespace runs, words/numbers, single other chars."""
    classes = "".join(map(_char_class, paragraph))
    return [paragraph[m.start() : m.end()] for m in _TOKEN.finditer(classes)]


def _break_point(line: list[str], token: str, width: float, measure: Callable[[str], float]) -> int | None:
    """Where to cut `line` when `token` does not fit: line[:k] stays, line[k:] moves down.

    Searches from the end so as little as possible moves; None if no cut obeys the rules.
    """
    for k in range(len(line), 0, -1):
        head = "".join(line[:k]).rstrip()
        tail = "".join(line[k:] + [token]).lstrip()
        if not head.strip():
            return None  # the line would be left empty
        if k < len(line) and measure(tail) > width:
            return None  # the tail only grows as k shrinks
        if head[-1] not in NO_LINE_END and tail[0] not in NO_LINE_START:
            return k
    return None


def _phrase_break(line: list[str], width: float, measure: Callable[[str], float]) -> int | None:
    """The last k where line[:k] ends a clause and still fills PHRASE_FILL of the width, if any."""
    for k in range(len(line), 0, -1):
        head = "".join(line[:k]).rstrip()
        if measure(head) < PHRASE_FILL * width:
            return None
        tail = "".join(line[k:]).lstrip()
        if head[-1] in SOFT_BREAK_AFTER and (not tail or tail[0] not in NO_LINE_START):
            return k
    return None


def _visible(text: str) -> int:
    return sum(1 for char in text if not char.isspace() and char not in NO_LINE_START)


def _is_orphan(line: str, width: float, measure: Callable[[str], float]) -> bool:
    return (len(line.strip()) < 3 or _visible(line) < 2) and measure(line) < ORPHAN_SHARE * width


def _without_orphan(lines: list[str], width: float, measure: Callable[[str], float]) -> list[str]:
    """Carry a few characters down so the last line is not one or two characters on its own."""
    if len(lines) < 2 or not lines[-1].strip() or not _is_orphan(lines[-1], width, measure):
        return lines
    tokens = _tokens(lines[-2])
    for k in range(len(tokens) - 1, 0, -1):
        head = "".join(tokens[:k]).rstrip()
        last = ("".join(tokens[k:]) + lines[-1]).lstrip()
        if measure(last) > width or measure(head) < 0.5 * width:
            break
        if not head or head[-1] in NO_LINE_END or last[0] in NO_LINE_START:
            continue
        if not _is_orphan(last, width, measure):
            return [*lines[:-2], head, last]
    return lines


def _wrap_paragraph(paragraph: str, width: float, measure: Callable[[str], float], phrases: bool = False) -> list[str]:
    tokens: list[str] = []
    for token in _tokens(paragraph):
        # A token wider than a whole line cannot stay whole: split it into characters.
        too_wide = len(token) > 1 and not token.isspace() and measure(token) > width
        tokens.extend(token if too_wide else [token])

    lines: list[str] = []
    line: list[str] = []
    for token in tokens:
        if token.isspace() or not "".join(line).strip() or measure("".join(line + [token])) <= width:
            line.append(token)
            continue
        k = (_phrase_break(line, width, measure) if phrases else None) or _break_point(line, token, width, measure)
        if k is None:
            if token[0] in NO_LINE_START:
                line.append(token)  # hang the punctuation past the edge rather than start a line with it
                continue
            k = len(line)  # nothing legal (e.g. a line of only "（"): break anyway
        lines.append("".join(line[:k]).rstrip())  # a space at the break is dropped
        rest = line[k:] + [token]
        while rest[0].isspace():
            rest.pop(0)
        line = rest
    lines.append("".join(line))
    return _without_orphan(lines, width, measure)


def wrap(text: str, width: float, measure: Callable[[str], float], phrases: bool = False) -> list[str]:
    """Break text into lines no wider than `width` as measured by `measure`.

    "\n" is a hard break and an empty paragraph gives an empty line, so wrap("") == [""].
    Breaks fall between CJK characters, at spaces (dropped at the break) and around words,
    never inside a word or number. Closing punctuation never starts a line and opening
    punctuation never ends one; when no legal break fits, the closing punctuation hangs
    past the width (usually one mark; "），" after a number that fills the line hangs both).
    A last line of one or two characters takes a few more from the line above. With `phrases`
    (centred text), a line ends after a clause's punctuation where that still fills most of it.
    Apart from the dropped spaces and the "\n", no character is lost or moved.
    """
    return [line for paragraph in text.split("\n") for line in _wrap_paragraph(paragraph, width, measure, phrases)]


def balanced_wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """As few lines as wrap() gives, but evenly filled: no lone last character in a centred box."""
    lines = wrap(text, width, measure)
    low, high = width / 2, width
    for _ in range(8 if len(lines) > 1 else 0):
        middle = (low + high) / 2
        trial = wrap(text, middle, measure)
        if len(trial) <= len(lines):
            lines, high = trial, middle
        else:
            low = middle
    return lines
