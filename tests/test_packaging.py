"""Installed from a wheel, the app finds its templates and fonts; a station's templates/ overrides them."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import BASE_CONFIG

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
    )
    [built] = out.glob("antifraud-*.whl")
    return built


def test_wheel_ships_templates_fonts_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "antifraud/_templates/categories.yaml",
        "antifraud/_templates/fonts/NotoSansSC-Regular.otf",
        "antifraud/_templates/fonts/NotoSansSC-Bold.otf",
        "antifraud/_templates/fonts/OFL.txt",
        "antifraud/db/migrations/env.py",
        "antifraud/db/migrations/versions/0001_initial_schema.py",
    ):
        assert expected in names


def run_from_wheel(wheel: Path, workdir: Path, *args: str, module: str = "antifraud") -> subprocess.CompletedProcess:
    site = workdir / "site"
    if not site.exists():
        zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("ANTIFRAUD_DATABASE_URL", None)
    # -I would drop PYTHONPATH; -P keeps the current folder off sys.path so the checkout is not imported.
    command = ["-m", module] if module else []
    return subprocess.run([sys.executable, "-P", *command, *args], capture_output=True, text=True, env=env, cwd=workdir)


def test_installed_app_uses_shipped_templates_and_station_overrides(wheel, tmp_path):
    (tmp_path / "config.yaml").write_text(BASE_CONFIG, encoding="utf-8")
    result = run_from_wheel(wheel, tmp_path, "categories", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 14
    shown = run_from_wheel(
        wheel, tmp_path, "-c", "import antifraud.lib.templates as r; print(r.default_templates_dir())", module=""
    )
    assert shown.stdout.strip() == str(tmp_path / "site" / "antifraud" / "_templates")

    # A station's own templates/categories.yaml replaces the shipped file.
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "categories.yaml").write_text(
        "categories:\n"
        "  - {code: other, name: 其他类型, script: 各类诈骗。, key_point: 不转账。, tips: [陌生来电要警惕。]}\n",
        encoding="utf-8",
    )
    result = run_from_wheel(wheel, tmp_path, "categories", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [c["name"] for c in json.loads(result.stdout)] == ["其他类型"]
