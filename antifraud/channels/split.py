"""Split a long post into messages a robot accepts, at paragraph and line boundaries."""

from __future__ import annotations

TEXT_LIMIT = 2048  # bytes of UTF-8 in one WeCom text message


def split_message(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split the text into messages of at most `limit` bytes of UTF-8; "".join(chunks) == text.

    Cuts fall at blank lines (rota.txt has one between days), packing as many days as fit
    into each message; a day too long for one message is cut between lines, and a line too
    long for one (never in practice) between characters.
    """
    if len(text.encode("utf-8")) <= limit:
        return [text] if text else []
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and len((current + piece).encode("utf-8")) > limit:
            chunks.append(current)
            current = ""
        current += piece
    if current:
        chunks.append(current)
    return chunks


def _split_keep(text: str, separator: str) -> list[str]:
    parts = text.split(separator)
    return [part + separator for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _pieces(text: str, limit: int) -> list[str]:
    """The text in pieces no longer than `limit` bytes: paragraphs, else lines, else characters."""
    out = []
    for paragraph in _split_keep(text, "\n\n"):
        if len(paragraph.encode("utf-8")) <= limit:
            out.append(paragraph)
            continue
        for line in _split_keep(paragraph, "\n"):
            while len(line.encode("utf-8")) > limit:
                cut = len(line.encode("utf-8")[:limit].decode("utf-8", errors="ignore"))
                out.append(line[:cut])
                line = line[cut:]
            if line:
                out.append(line)
    return out
