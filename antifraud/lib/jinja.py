"""The one jinja2 environment for post texts (warning.txt, warning.md, rota.txt): a station's own
templates/ first, then the shipped ones; undefined names are errors; output is tidied for chat posts.

Every {{ value }} is made safe by the environment itself, so a station's own template cannot forget it:
no value can link or mention in any post, and in a .md template no value can make markup either.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from ..errors import ConfigError
from .safetext import defang, escape_markdown
from .templates import template_dirs
from .words import cn_date, cn_weekday, yuan


def _plain_value(value) -> str:
    return defang(str(value))


def _markdown_value(value) -> str:
    return escape_markdown(defang(str(value)))


@lru_cache(maxsize=16)
def environment(station_templates: Path | None, markdown: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(station_templates)]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,  # plain text and chat markdown, not HTML
        finalize=_markdown_value if markdown else _plain_value,  # only values: the template's own markup stays
    )
    env.filters["yuan"] = yuan
    env.filters["cn_date"] = cn_date
    env.filters["cn_weekday"] = cn_weekday
    return env


def render_template(name: str, station_templates: Path | None, **context) -> str:
    """The template rendered and tidied; a template mistake is a ConfigError naming the file and line."""
    try:
        text = environment(station_templates, name.endswith(".md")).get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        where = f"{exc.filename}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else name
        raise ConfigError(f"template {where}: {exc.message}") from None
    return tidy(text)


def tidy(text: str) -> str:
    """Templates are written for readability; posts should not carry their blank-line runs."""
    out: list[str] = []
    for line in (line.rstrip() for line in text.strip().splitlines()):
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out) + "\n"
