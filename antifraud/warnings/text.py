"""The warning's post text (warning.txt) and markdown (warning.md) from jinja2 templates.

Both must fit a WeCom message: 2048 and 4096 bytes of UTF-8. When they would not,
the content is shortened by rule (see content.LADDER), never cut mid-sentence.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from ..errors import ConfigError
from ..incidents.categories import Categories
from ..resources import template_dirs
from .content import LADDER, WarningContent, cn_date, compose, yuan
from .facts import WarningFacts

LIMITS = {"warning.txt": 2048, "warning.md": 4096}


@lru_cache(maxsize=16)
def environment(station_templates: Path | None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(station_templates)]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["yuan"] = yuan
    env.filters["cn_date"] = cn_date
    return env


def render_one(name: str, content: WarningContent, station_templates: Path | None) -> str:
    try:
        template = environment(station_templates).get_template(name)
        text = template.render(c=content, facts=content.facts)
    except jinja2.TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else name
        raise ConfigError(f"template {where}: {exc.message}") from None
    # Templates are written for readability; posts should not carry their blank-line runs.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out) + "\n"


def render_text(name: str, facts: WarningFacts, categories: Categories, station_templates: Path | None) -> str:
    """The richest version of the template that fits its byte limit."""
    limit = LIMITS[name]
    for detail in LADDER:
        text = render_one(name, compose(facts, categories, detail), station_templates)
        if len(text.encode("utf-8")) <= limit:
            return text
    raise ConfigError(f"template {name}: even the shortest warning is over {limit} bytes; shorten the template")
