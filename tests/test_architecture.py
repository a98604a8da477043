"""The house rules: a command loads only what it uses, and a channel is one module and one line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from antifraud import channels
from antifraud.channels.base import Channel, Message
from antifraud.config import load_settings

from conftest import BASE_CONFIG

HEAVY = ("sqlalchemy", "alembic", "pydantic", "apscheduler", "PIL", "fontTools", "ortools", "openpyxl", "jinja2")
WATCHED = [*HEAVY, "requests", "rich"]


def loaded_after(args: list[str], cwd, env=None) -> list[str]:
    """The heavy libraries a CLI run imported, run in a fresh interpreter."""
    code = textwrap.dedent(
        f"""
        import json, sys
        from antifraud.cli import main
        try:
            main({args!r})
        except SystemExit:
            pass
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({WATCHED!r}))))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_imports_no_heavy_library(tmp_path):
    assert loaded_after(["--help"], tmp_path) == []
    assert loaded_after(["incident", "add", "--help"], tmp_path) == []


def test_incident_add_imports_only_config_and_database_libraries(config_file):
    args = ["incident", "add", "--date", "2026-11-01", "--category", "刷单返利", "--config", str(config_file)]
    loaded_after(args, config_file.parent)  # the first run creates and migrates the database
    loaded = loaded_after(args, config_file.parent)
    assert set(loaded) <= {"sqlalchemy", "pydantic"}, loaded  # no Alembic once the schema is current


def test_a_command_starts_without_the_cyclic_collector_and_works_with_it(config_file):
    """Start-up (imports, mapping, the config) runs with the garbage collector off; it is on again
    from the moment the database is open, where the command's real work begins (lib/collector.py)."""
    args = ["incident", "add", "--date", "2026-11-01", "--category", "刷单返利", "--config", str(config_file)]
    code = textwrap.dedent(
        f"""
        import functools, gc, json, os
        from antifraud import app
        seen = []
        opened = app.App.db.func
        def db(self):
            seen.append(gc.isenabled())
            database = opened(self)
            seen.append(gc.isenabled())
            return database
        app.App.db = functools.cached_property(db)
        app.App.db.__set_name__(app.App, "db")
        from antifraud.entry import main
        try:
            main({args!r})
        except SystemExit:
            pass
        print(json.dumps([seen, gc.isenabled(), os.environ.get("PYDANTIC_DISABLE_PLUGINS")]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=config_file.parent, capture_output=True, text=True, check=True, timeout=120
    )
    seen, at_exit, plugins = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == [False, True] and at_exit, (seen, at_exit)
    assert plugins == "__all__"  # pydantic does not search every installed package for plugins


def test_stats_with_the_default_detector_does_not_load_scipy_stats(config_file):
    """EARS (the default, C3) needs only numpy; scipy.stats (~0.7 s to import) is for the weekly method."""
    args = ["stats", "--format", "json", "--config", str(config_file)]
    code = f"import sys; from antifraud.cli import main\ntry:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
    code += "print('scipy.stats' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=config_file.parent, capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "False", done.stdout[-500:] + done.stderr[-500:]


class Pigeon(Channel):
    """A made-up channel, to show what adding one takes."""

    kind = "pigeon"

    def send(self, message: Message) -> str:
        return "coo"


def test_a_new_channel_is_one_class_and_one_registry_line(tmp_path, monkeypatch):
    monkeypatch.setitem(channels.CHANNELS, "pigeon", Pigeon)
    path = tmp_path / "config.yaml"
    path.write_text(
        textwrap.dedent(BASE_CONFIG).replace("channel: folder", "channel: pigeon, webhook_env: AF_P"), encoding="utf-8"
    )
    settings = load_settings(path)
    group = settings.stations[0].groups[1]
    assert group.channel == "pigeon"
    assert channels.channel_for(group).send(Message("text", "hi")) == "coo"


@pytest.mark.parametrize("kind", sorted(channels.CHANNELS))
def test_every_registered_channel_names_itself(kind):
    assert channels.CHANNELS[kind].kind == kind
