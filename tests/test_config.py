"""config.yaml parsing: every error names the key path and the bad value."""

import textwrap

import pytest

from antifraud.config import load_settings
from antifraud.errors import ConfigError

from conftest import BASE_CONFIG


def write(tmp_path, text):
    path = tmp_path / "config.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_example_config_loads():
    settings = load_settings("config.yaml")
    station = settings.stations[0]
    assert station.code == "shigu"
    assert {g.channel for g in station.groups} >= {"wecom", "folder"}
    assert any(p.role == "volunteer" for p in station.people)
    assert station.factories and station.stall_sites


def test_relative_database_path_resolves_against_config_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ANTIFRAUD_DATABASE_URL", raising=False)
    monkeypatch.chdir("/")
    settings = load_settings(write(tmp_path, BASE_CONFIG))
    assert settings.database_url == f"sqlite:///{tmp_path / 'antifraud.db'}"
    assert settings.resolve(settings.output_dir) == tmp_path / "posters"


def test_environment_overrides_database(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTIFRAUD_DATABASE_URL", "postgresql+psycopg://af@localhost/af")
    assert load_settings(write(tmp_path, BASE_CONFIG)).database_url == "postgresql+psycopg://af@localhost/af"


def test_station_lookup_defaults_to_first(tmp_path):
    settings = load_settings(write(tmp_path, BASE_CONFIG))
    assert settings.station(None).code == "shigu"
    assert settings.station("qingfu").name == "青福社区警务室"
    with pytest.raises(
        ConfigError, match=r"--station: 'nowhere' is not a station in the config \(known: shigu, qingfu\)"
    ):
        settings.station("nowhere")


BAD_CONFIGS = [
    # (replace this, with this, expected message)
    (
        "channel: folder",
        "channel: wechat",
        "stations[0].groups[1].channel: 'wechat' is not one of wecom, dingtalk, feishu, webhook, folder",
    ),
    (
        "audience: residents",
        "audience: everyone",
        "stations[0].groups[1].audience: 'everyone' is not one of residents, staff, volunteers",
    ),
    (
        "webhook_env: AF_TEST_STAFF",
        "webhook_env: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-secret'",
        "stations[0].groups[0].webhook_env: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***' "
        "must be the name of an environment variable",
    ),
    ("webhook_env: AF_TEST_STAFF, ", "", "stations[0].groups[0]: webhook_env is required for channel 'wecom'"),
    ("code: shigu", "code: Shi Gu", "stations[0].code: 'Shi Gu' must be 1-40 lowercase letters"),
    ("code: qingfu", "code: shigu", "stations: code 'shigu' appears twice"),
    ("timezone: Asia/Shanghai", "timezone: Mars/Olympus", "timezone: 'Mars/Olympus' is not a known time zone"),
    (
        "output_dir: posters",
        "output_dir: posters\nschedule: {warning_publish: '8am'}",
        "schedule.warning_publish: '8am' must be a time as HH:MM",
    ),
    (
        "output_dir: posters",
        "output_dir: posters\nschedule: {rota_plan: 'friday 4pm'}",
        "schedule.rota_plan: 'friday 4pm' must be a weekday",
    ),
    (
        "role: volunteer",
        "role: helper",
        "stations[0].people[2].role: 'helper' is not one of officer, auxiliary, patrol, volunteer",
    ),
    ('phone: "13800000021"', 'phone: "12345"x"', "not valid YAML"),
    ('phone: "13800000021"', 'phone: "1380000002"', "stations[0].people[1].phone: '1380000002' is not a phone number"),
    (
        "available: [sat, sun]",
        "available: [saturday]",
        "stations[0].people[2].available[0]: 'saturday' is not one of mon, tue, wed, thu, fri, sat, sun",
    ),
    ("name: 青福社区警务室", "name: 青福社区警务室\n    grups: []", "stations[1].grups: unknown key"),
    # Issue 11 item 15: someone never available, or a factory without a talk window, would never be planned.
    ("available: [sat, sun]", "available: []", "stations[0].people[2].available: [] "),
    (
        "name: 青福社区警务室",
        "name: 青福社区警务室\n    factories: [{name: 某厂, talk_windows: []}]",
        "stations[1].factories[0].talk_windows: [] ",
    ),
    (
        "output_dir: posters",
        "output_dir: posters\noutreach: {stall_staff: 2}",
        "outreach: stall_min_crew (3) is more than stall_staff (2)",
    ),
    (
        "output_dir: posters",
        "output_dir: posters\noutreach: {reminder_audience: {street_stall: [everyone]}}",
        "outreach.reminder_audience.street_stall[0]: 'everyone' is not one of residents, staff, volunteers",
    ),
    ("database: sqlite:///antifraud.db", "database: [1, 2]", "database: "),
    ("  - code: qingfu\n    name: 青福社区警务室\n", "", None),  # still valid: one station is enough
]


@pytest.mark.parametrize("old,new,message", BAD_CONFIGS, ids=[case[2] or "valid" for case in BAD_CONFIGS])
def test_config_errors_name_the_key_path_and_value(tmp_path, old, new, message):
    text = textwrap.dedent(BASE_CONFIG)
    assert old in text, f"test table out of date: {old!r} not in the base config"
    path = write(tmp_path, text.replace(old, new, 1))
    if message is None:
        load_settings(path)
        return
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "abc-secret" not in str(caught.value)


def test_no_stations_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"stations: is required"):
        load_settings(write(tmp_path, "timezone: Asia/Shanghai\n"))
    with pytest.raises(ConfigError, match=r"stations: .*at least 1"):
        load_settings(write(tmp_path, "stations: []\n"))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match=r"--config: '.*nope.yaml' does not exist"):
        load_settings(tmp_path / "nope.yaml")


def test_cli_reports_config_error_in_one_line(run, tmp_path):
    bad = write(tmp_path, textwrap.dedent(BASE_CONFIG).replace("channel: folder", "channel: wechat"))
    result = run("incident", "list", config=bad)
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "error: stations[0].groups[1].channel: 'wechat' is not one of wecom, dingtalk, feishu, webhook, folder"
    ]


def _city(tmp_path, files: dict[str, str], head: str = "") -> object:
    folder = tmp_path / "stations"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(
        "timezone: Asia/Shanghai\nstations:\n" + head + "  - include: stations/*.yaml\n", encoding="utf-8"
    )
    return config


def test_stations_may_come_from_one_file_per_police_room(tmp_path):
    config = _city(
        tmp_path,
        {
            "b-qingfu.yaml": "code: qingfu\nname: 青福社区警务室\n",
            "a-shigu.yaml": (
                "code: shigu\nname: 石鼓社区警务室\ngroups:\n  - {name: 石鼓群, channel: folder, audience: residents}\n"
            ),
            "c-two.yaml": "- {code: east, name: 东区警务室}\n- {code: west, name: 西区警务室}\n",
        },
        head="  - {code: hq, name: 分局}\n",
    )
    settings = load_settings(config)
    assert [s.code for s in settings.stations] == ["hq", "shigu", "qingfu", "east", "west"]


@pytest.mark.parametrize(
    "files, message",
    [
        (
            {"shigu.yaml": "code: shigu\nname: 石鼓\ngroups:\n  - {name: 群, channel: wechat, audience: residents}\n"},
            "stations/shigu.yaml: groups[0].channel: 'wechat' is not one of",
        ),
        (
            {"two.yaml": "- {code: a, name: A}\n- {code: b, name: B, colour: red}\n"},
            "stations/two.yaml: [1].colour: unknown key",
        ),
        ({"bad.yaml": "just text\n"}, "stations/bad.yaml: must be one station"),
        ({"bad.yaml": "code: [unclosed\n"}, "stations/bad.yaml line"),
    ],
)
def test_an_included_stations_error_names_its_file_and_key(tmp_path, files, message):
    with pytest.raises(ConfigError) as caught:
        load_settings(_city(tmp_path, files))
    assert str(caught.value).startswith(message), str(caught.value)


def test_an_include_that_matches_nothing_is_an_error(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("stations:\n  - include: rooms/*.yaml\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"stations\[0\]\.include: 'rooms/\*\.yaml' matches no file"):
        load_settings(config)
