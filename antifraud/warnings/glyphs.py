"""Which characters a person typed that the poster cannot draw (told on entry; the text keeps them)."""

from __future__ import annotations

from ..config import Settings


def poster_cannot_show(settings: Settings, texts) -> list[str]:
    """Characters of what a person typed that the poster's fonts lack (emoji, symbols): the poster
    leaves them out and the post text keeps them. Unique, in order of first appearance."""
    text = "".join(t for t in texts if t)
    try:
        text.encode("gb2312")
        return []  # the main fonts hold every GB 2312 character: no need to open them
    except UnicodeEncodeError:
        pass
    from .poster import load_layout  # fonts and Pillow only for text beyond GB 2312

    station_templates = settings.resolve(settings.templates_dir)
    regular, bold = load_layout(station_templates).font_sets(station_templates)
    return list(dict.fromkeys(regular.missing(text) + bold.missing(text)))
