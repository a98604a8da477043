"""Typed files (config.yaml, poster.yaml, rota.yaml): strict pydantic models, one-line errors naming the key.

An error reads ``stations[0].groups[1].channel: 'wechat' is not one of wecom, dingtalk, ...``:
the key path, the bad value, what is wrong, and how many more problems there are.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ConfigError
from .secrets import redact

try:  # libyaml's loader is ten times faster on a big config; PyYAML without it still works
    from yaml import CSafeLoader as YamlLoader
except ImportError:  # pragma: no cover - wheels without libyaml
    from yaml import SafeLoader as YamlLoader


class Strict(BaseModel):
    # Unknown keys are typos more often than not: refuse them. A model's validator is built when it
    # is first used, not when its module is imported: a command pays only for the files it reads.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def load_yaml(text: str, name: str):
    """Parsed YAML; a syntax error is a ConfigError naming the file and line."""
    try:
        return yaml.load(text, Loader=YamlLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{name}{where}: not valid YAML ({problem})") from None


def read_model(path: Path, model: type[BaseModel], extra: dict | None = None):
    """A YAML file parsed into `model`; errors name the file and the key."""
    data = load_yaml(path.read_text(encoding="utf-8"), str(path))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys")
    try:
        return model.model_validate({**data, **(extra or {})})
    except ValidationError as exc:
        raise ConfigError(f"{path}: {describe_validation_error(exc)}") from None


def describe_validation_error(exc: ValidationError, locate=None) -> str:
    """One line: the key path, the bad value and what is wrong (and how many more problems).

    `locate(loc)` may say where a part of the data came from: it returns (file prefix, the key path
    inside that file), for data included from other files.
    """
    errors = exc.errors()
    first = errors[0]
    prefix, loc = locate(first["loc"]) if locate else ("", first["loc"])
    where = key_path(loc)
    at = f"{prefix}{where}: " if where else prefix  # a check across keys has no single key to name
    kind = first["type"]
    value = first.get("input")
    message = first["msg"].removeprefix("Value error, ")
    if kind == "missing":
        text = f"{at}is required"
    elif kind == "extra_forbidden":
        text = f"{at}unknown key"
    elif kind == "literal_error":
        expected = first["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        text = f"{at}{value!r} is not one of {expected}"
    elif isinstance(value, (dict, list)):
        text = f"{at}{message}"
    elif kind == "value_error":
        text = f"{at}{_show(value)} {message}"
    else:
        text = f"{at}{_show(value)} is invalid ({message[0].lower() + message[1:]})"
    text = redact(text)  # someone may have pasted a webhook URL where a name belongs
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return text


def key_path(loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in str(part) or str(part).startswith("function-"):
            continue  # pydantic's internal validator steps, not keys
        else:
            out += ("." if out else "") + str(part)
    return out


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"
