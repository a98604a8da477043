"""The warning's post text (warning.txt) and markdown (warning.md) from jinja2 templates.

Both must fit a WeCom message: 2048 and 4096 bytes of UTF-8. When they would not,
the content is shortened by rule (see content.LADDER), never cut mid-sentence.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from ..incidents.categories import Categories
from ..lib.jinja import render_template
from .content import LADDER, WarningContent, compose
from .facts import WarningFacts

LIMITS = {"warning.txt": 2048, "warning.md": 4096}


def render_one(name: str, content: WarningContent, station_templates: Path | None) -> str:
    return render_template(name, station_templates, c=content, facts=content.facts)


def render_text(
    name: str, facts: WarningFacts, categories: Categories, station_templates: Path | None, profile=None
) -> str:
    """The richest version of the template that fits its byte limit (for an audience's profile)."""
    limit = LIMITS[name]
    for detail in LADDER:
        text = render_one(name, compose(facts, categories, detail, profile), station_templates)
        if len(text.encode("utf-8")) <= limit:
            return text
    raise ConfigError(f"template {name}: even the shortest warning is over {limit} bytes; shorten the template")
