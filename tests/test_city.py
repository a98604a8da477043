"""One antifraud for many police rooms: every station's warning and rota in one command, each on its own."""

import json
import os
from pathlib import Path

import pytest

from antifraud.render.qr import qr_image

REPO = Path(__file__).resolve().parent.parent

STATIONS = {"shigu": "石鼓社区警务室", "qingfu": "青福社区警务室", "donghu": "东湖社区警务室"}
NO_FONT_HAS_IT = "ሀ"  # Ethiopic: in none of the poster's fonts (NotoSansSC and its rare-character fallback)


def city(config_file: Path, broken: str | None = None) -> Path:
    """The example config with three stations (copies of Shigu); `broken`'s officer's name, printed on the
    poster, has a character no font has."""
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    head, station = text.split("stations:\n")
    blocks = []
    for code, name in STATIONS.items():
        block = station.replace("code: shigu", f"code: {code}").replace("石鼓社区警务室", name)
        if code == broken:
            block = block.replace("contact: {name: 李警官", f"contact: {{name: 李{NO_FONT_HAS_IT}官")
        blocks.append(block)
    config_file.write_text(head + "stations:\n" + "".join(blocks), encoding="utf-8")
    return config_file


def add_incidents(run):
    for code in STATIONS:
        result = run(
            "incident", "add", "--date", "2026-11-22", "--category", "刷单返利", "--loss", "800", "--station", code
        )
        assert result.code == 0, result.err


def assert_all_rendered(result, folder: Path):
    assert result.code == 0, result.out + result.err
    for code in STATIONS:
        assert f"{code}: rendered 2026-11-22 (1 incident(s))" in result.out
        assert (folder / "posters" / "2026-11-22" / code / "warning.png").stat().st_size > 0
    assert "rendered 3 of 3 station(s) in" in result.out.splitlines()[-1]


def test_all_stations_renders_every_station_on_sqlite(run, config_file):
    city(config_file)
    add_incidents(run)
    result = run("warning", "render", "--all-stations")
    assert_all_rendered(result, config_file.parent)
    # SQLite: one per CPU but at most two (its writers take turns)
    assert f"with {min(os.cpu_count() or 1, 2)} worker(s)" in result.out


def test_all_stations_renders_every_station_on_postgres(run, config_file, postgres_url, monkeypatch):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", postgres_url)
    city(config_file)
    add_incidents(run)
    result = run("warning", "render", "--all-stations", "--workers", "2")  # a real pool of two processes
    assert_all_rendered(result, config_file.parent)
    assert "with 2 worker(s)" in result.out
    listed = run("warning", "render", "--all-stations", "--date", "2026-11-22")  # again: each re-rendered
    assert listed.code == 0 and listed.out.count(": rendered 2026-11-22") == 3


def test_one_station_failing_does_not_stop_the_others(run, config_file):
    city(config_file, broken="qingfu")
    add_incidents(run)
    result = run("warning", "render", "--all-stations")
    assert result.code == 1, result.out + result.err
    failed = [line for line in result.out.splitlines() if line.startswith("qingfu: failed: ")]
    assert len(failed) == 1 and NO_FONT_HAS_IT in failed[0]
    assert "shigu: rendered 2026-11-22" in result.out and "donghu: rendered 2026-11-22" in result.out
    summary = result.out.splitlines()[-1]
    assert summary.startswith("rendered 2 of 3 station(s) in ") and summary.endswith("; 1 failed: qingfu")
    assert not (config_file.parent / "posters" / "2026-11-22" / "qingfu").exists()


def test_station_and_all_stations_together_is_exit_2(run, config_file):
    result = run("warning", "render", "--all-stations", "--station", "shigu")
    assert (result.code, result.err) == (2, "error: --station and --all-stations cannot be used together\n")
    result = run("outreach", "plan", "--week", "2026-W49", "--all-stations", "--station", "shigu")
    assert (result.code, result.err) == (2, "error: --station and --all-stations cannot be used together\n")


def test_outreach_plan_all_stations_plans_every_week(run, config_file):
    city(config_file)
    result = run("outreach", "plan", "--week", "2026-W49", "--all-stations")
    assert result.code == 0, result.out + result.err
    for code in STATIONS:
        assert f"{code}: planned 2026-W49: " in result.out
        assert (config_file.parent / "posters" / "rota" / "2026-W49" / code / "rota.png").exists()
    assert "planned 3 of 3 station(s)" in result.out
    weeks = json.loads(run("outreach", "plan", "--week", "2026-W49", "--all-stations", "--format", "json").out)
    assert [w["station"] for w in weeks] == list(STATIONS) and all(w["kept"] and w["events"] for w in weeks)


def test_outreach_plan_all_stations_on_postgres_in_a_pool(run, config_file, postgres_url, monkeypatch):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", postgres_url)
    city(config_file)
    result = run("outreach", "plan", "--week", "2026-W49", "--all-stations", "--workers", "3")
    assert result.code == 0, result.out + result.err
    assert result.out.count(": planned 2026-W49: ") == 3 and "with 3 worker(s)" in result.out


def test_the_qr_code_is_drawn_once_per_link_and_size():
    first = qr_image("https://example.org/city-qr-test", 230)
    assert qr_image("https://example.org/city-qr-test", 230) is first
    assert qr_image("https://example.org/city-qr-test", 200) is not first
    assert qr_image("https://example.org/another-room", 230).tobytes() != first.tobytes()


@pytest.mark.parametrize("args", [("--workers", "2"), ()])
def test_workers_needs_all_stations(run, config_file, args):
    result = run("warning", "render", *args)
    assert result.code == (2 if args else 0), result.err
