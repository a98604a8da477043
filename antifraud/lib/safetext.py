"""What typed text may carry into a chat post: no control or bidi characters, no link, no mention, no markup."""

from __future__ import annotations

import re

# Terminal escape sequences go whole (CSI "ESC[31m" or its one-byte form U+009B, OSC "ESC]...BEL"),
# not just their first byte, or "[31m" would be left in the text.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)|\x1b[@-_]?"
)
# C0 and C1 controls, zero-width and bidi characters (U+202E turns "8765" into what reads as "5678"),
# word joiners and the BOM: none is visible, each can hide or reorder what residents read.
# Also soft hyphen, combining grapheme joiner, Mongolian and Khmer invisibles, variation selectors, tag
# characters, Hangul fillers and the braille blank: each renders as nothing and splits a number past masking.
_INVISIBLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)


def strip_invisible(text: str) -> str:
    if not _INVISIBLE.search(text):  # the usual case, in one pass (an escape sequence starts with one)
        return text
    return _INVISIBLE.sub("", _ESCAPE_SEQUENCE.sub("", text))


_URL_CHARS = r"[A-Za-z0-9\-._~:/?#@!$&'*+;=%]"
# Chat apps make a link of a scheme, of www. and of a bare domain with a familiar ending.
_LINK = re.compile(
    rf"(?i)(?<![a-z0-9])(?:(?:https?|ftp)://|www\.){_URL_CHARS}+"
    r"|(?<![a-z0-9.\-])(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|cn|net|org|top|xyz|vip|cc|info|io|me|app|site|shop|club|online|live|pro|biz|link|fun|icu|work|ltd"
    r"|hk|tw|ru|us|uk|co|tv|asia|wang|ink|store|tech|cloud|win|bid|space|website|cyou|sbs|bond|tk|ml"
    r"|ly|gl|to|jp|kr|de|fr|eu|in|la|pw|ws|su|mobi)"
    rf"(?![a-z0-9\-])(?:[/:?#]{_URL_CHARS}*)?"
    # Any other ending is a link once a path or a port follows it (bit.ly/x, evil.example:8080) ...
    rf"|(?<![a-z0-9.\-])(?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.)+[a-z]{{2,24}}(?:/|:\d{{1,5}}){_URL_CHARS}*"
    # ... and so is a bare IPv4 address, with or without one.
    rf"|(?<![0-9.])(?:\d{{1,3}}\.){{3}}\d{{1,3}}(?![0-9.])(?:[/:?#]{_URL_CHARS}*)?"
)


def _defang_link(match: re.Match) -> str:
    link = re.sub(r"(?i)^(h)tt(ps?)://", r"\1xx\2://", match.group(0))
    link = re.sub(r"(?i)^ftp://", "fxp://", link)
    return link.replace(".", "［.］")


def defang(text: str) -> str:
    """Links made unclickable (hxxp://evil［.］com) and @ made ＠, so no post can link or mention."""
    return _LINK.sub(_defang_link, text).replace("@", "＠")


# Markdown and HTML syntax in a value, each as its full-width look-alike: it reads the same in Chinese
# text and no renderer takes it for markup (WeCom, DingTalk and Feishu have no common backslash escape).
_MARKDOWN = str.maketrans(
    {
        "\\": "＼",
        "`": "｀",
        "*": "＊",
        "_": "＿",
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "#": "＃",
        "!": "！",
        "|": "｜",
        "~": "～",
        "&": "＆",
        "@": "＠",
    }
)


def escape_markdown(text: str) -> str:
    return text.translate(_MARKDOWN)
