"""Every config key and every CLI command is documented in the README."""

import re
import typing
from pathlib import Path

import click
from pydantic import BaseModel

from antifraud.cli import cli
from antifraud.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def config_keys(model: type[BaseModel], prefix: str = ""):
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        path = f"{prefix}{name}"
        yield path
        for inner in _models_in(field.annotation):
            yield from config_keys(inner, f"{path}[]." if _is_list(field.annotation) else f"{path}.")


def _models_in(annotation):
    for arg in (
        annotation,
        *typing.get_args(annotation),
        *[a for t in typing.get_args(annotation) for a in typing.get_args(t)],
    ):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            yield arg


def _is_list(annotation):
    return typing.get_origin(annotation) is list or any(
        typing.get_origin(a) is list for a in typing.get_args(annotation)
    )


def test_every_config_key_is_documented():
    missing = []
    for path in config_keys(Settings):
        leaf = path.rsplit(".", 1)[-1].removesuffix("[]")
        # A nested key counts as documented if its full path or its name appears in backticks.
        if f"`{path}`" not in README and not re.search(rf"`{re.escape(leaf)}`", README):
            missing.append(path)
    assert missing == []


def commands(group: click.Group, prefix: str = ""):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


def test_every_command_is_documented():
    missing = [name for name in commands(cli) if f"antifraud {name}" not in README]
    assert missing == []
