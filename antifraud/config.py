"""config.yaml -> typed, validated settings.

Every error names the key path and the bad value, e.g.
``stations[0].groups[1].channel: 'wechat' is not one of wecom, dingtalk, feishu, webhook, folder``.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from .channels import CHANNELS
from .errors import ConfigError
from .lib.schema import Strict, describe_validation_error, load_yaml
from .vocab import AUDIENCES, WEEKDAYS, Audience, EventKindName, Role, SiteKind, Weekday

DATABASE_ENV = "ANTIFRAUD_DATABASE_URL"


def _slug(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", value):
        raise ValueError("must be 1-40 lowercase letters, digits, '-' or '_' (used in paths and --station)")
    return value


def _hhmm(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError("must be a time as HH:MM, e.g. 07:00")
    return value


def _hhmm_or_midnight(value: str) -> str:
    return value if value == "24:00" else _hhmm(value)


def _weekly(value: str) -> str:
    parts = value.split()
    if len(parts) != 2 or parts[0] not in WEEKDAYS:
        raise ValueError(f"must be a weekday ({', '.join(WEEKDAYS)}) and a time, e.g. 'fri 16:00'")
    _hhmm(parts[1])
    return value


def _time_window(value: str) -> str:
    match = re.fullmatch(r"(\d\d:\d\d)-(\d\d:\d\d)", value)
    if not match:
        raise ValueError("must be a time window as HH:MM-HH:MM, e.g. 12:00-13:00")
    start, end = (_hhmm(part) for part in match.groups())
    if start >= end:
        raise ValueError("must end after it starts")
    return value


def _env_name(value: str) -> str:
    if "://" in value or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError(
            "must be the name of an environment variable holding the webhook URL "
            "(e.g. AF_WECOM_RESIDENTS_1), never the URL itself"
        )
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("is not a known time zone (e.g. Asia/Shanghai)") from None
    return value


def _phone(value: str) -> str:
    digits = value.replace("-", "").replace(" ", "")
    if not re.fullmatch(r"1[3-9]\d{9}|0\d{9,11}|\d{3,8}", digits):
        raise ValueError("is not a phone number (11-digit mobile, landline with area code, or a short number)")
    return value


def _channel_kind(value: str) -> str:
    if value not in CHANNELS:
        raise ValueError(f"is not one of {', '.join(CHANNELS)}")
    return value


Slug = Annotated[str, AfterValidator(_slug)]
ChannelKind = Annotated[str, AfterValidator(_channel_kind)]
HHMM = Annotated[str, AfterValidator(_hhmm)]
TimeWindow = Annotated[str, AfterValidator(_time_window)]
Phone = Annotated[str, AfterValidator(_phone)]
Name = Annotated[str, Field(min_length=1, max_length=40)]


def _some(example: str):
    """[] for a list that must name at least one thing: what it means, and what to write instead."""

    def check(value: list) -> list:
        if not value:
            raise ValueError(f"[] would never be planned; give at least {example}")
        return value

    return check


class Hotline(Strict):
    label: Name  # 反诈专线
    number: Annotated[str, Field(pattern=r"^[0-9-]{3,20}$")]  # 96110


DEFAULT_HOTLINES = (Hotline(label="反诈专线", number="96110"), Hotline(label="报警电话", number="110"))


class Contact(Strict):
    name: Name
    phone: Phone


class Group(Strict):
    name: Name
    channel: ChannelKind
    webhook_env: Annotated[str, AfterValidator(_env_name)] | None = None
    secret_env: Annotated[str, AfterValidator(_env_name)] | None = None  # DingTalk/Feishu signing secret
    audience: Audience

    @model_validator(mode="after")
    def _needs_webhook(self):
        if self.channel != "folder" and not self.webhook_env:
            raise ValueError(f"webhook_env is required for channel {self.channel!r}")
        return self


class Person(Strict):
    name: Name
    role: Role
    team: Name | None = None
    phone: Phone | None = None
    grid: Name | None = None  # the 网格 or 警格 this person answers for: gets a grid contact poster
    photo: Path | None = None  # for the grid poster, relative to config.yaml; a silhouette when missing
    qr: str | None = Field(default=None, max_length=300)  # the poster's QR code (default: a tel: link to phone)
    available: Annotated[list[Weekday], AfterValidator(_some("a weekday (mon..sun)"))] = list(WEEKDAYS)
    unavailable: list[date] = []
    max_shifts_per_week: int = Field(default=3, ge=0, le=14)


class Factory(Strict):
    name: Name
    grid: Name | None = None
    headcount: int = Field(default=100, ge=1, le=200_000)
    contact: Contact | None = None
    talk_windows: Annotated[list[TimeWindow], AfterValidator(_some('a window such as "12:00-13:00"'))] = ["12:00-13:00"]


class StallSite(Strict):
    name: Name
    kind: SiteKind = "square"
    weight: float = Field(default=1.0, gt=0, le=10)


class Station(Strict):
    code: Slug
    name: Name
    timezone: Annotated[str, AfterValidator(_timezone)] | None = None
    contact: Contact | None = None  # the officer residents should call, printed on posters
    link: str | None = Field(default=None, max_length=300)  # encoded in the poster's QR code
    address: str | None = Field(default=None, max_length=80)  # the police room's, on grid posters
    hotlines: list[Hotline] = Field(default_factory=lambda: list(DEFAULT_HOTLINES))  # on grid posters
    groups: list[Group] = []
    people: list[Person] = []
    factories: list[Factory] = []
    stall_sites: list[StallSite] = []

    @model_validator(mode="after")
    def _unique_names(self):
        for field in ("groups", "people", "factories", "stall_sites"):
            seen = set()
            for item in getattr(self, field):
                if item.name in seen:
                    raise ValueError(f"{field}: name {item.name!r} appears twice")
                seen.add(item.name)
        return self


class CategoryDef(Strict):
    code: Slug
    name: Name
    short: Annotated[str, Field(max_length=8)] | None = None
    aliases: list[Name] = []
    script: Annotated[str, Field(min_length=1, max_length=200)]
    key_point: Annotated[str, Field(min_length=1, max_length=60)]
    tips: Annotated[list[Annotated[str, Field(min_length=1, max_length=60)]], Field(min_length=1, max_length=5)]


class Publish(Strict):
    require_approval: bool = False
    # Which groups get the daily warning; a staff preview always goes to the staff groups.
    audiences: list[Audience] = list(AUDIENCES)  # every group gets the warning
    wait_seconds: int = Field(default=300, ge=0, le=3600)  # how long `warning publish` waits for the robots
    # The daemon posts a warning on its own only up to this many days after the day it reports on
    # (2: yesterday's and the day before's); older ones are reported, and a person decides.
    max_age_days: int = Field(default=2, ge=1, le=7)


class Schedule(Strict):
    warning_render: HHMM = "07:00"
    warning_publish: HHMM = "08:00"
    # The daemon posts no warning after this ("24:00": until midnight), so nothing goes out at night.
    warning_publish_until: Annotated[str, AfterValidator(_hhmm_or_midnight)] = "20:00"
    rota_plan: Annotated[str, AfterValidator(_weekly)] = "fri 16:00"
    reminders: HHMM = "18:00"
    backup: HHMM = "03:00"  # nightly copy of an SQLite database
    outbox_seconds: int = Field(default=30, ge=5, le=3600)  # how often the daemon sends what is due

    def in_publish_window(self, now: datetime) -> bool:
        """Residents get posts between warning_publish and warning_publish_until (station time), never at night."""
        until = self.warning_publish_until
        return time.fromisoformat(self.warning_publish) <= now.time() and (
            until == "24:00" or now.time() < time.fromisoformat(until)
        )

    def next_publish_opening(self, now: datetime) -> datetime:
        """The next moment the publish window opens, after `now` (an aware station-time datetime)."""
        opening = datetime.combine(now.date(), time.fromisoformat(self.warning_publish), now.tzinfo)
        return opening if opening > now else opening + timedelta(days=1)

    @model_validator(mode="after")
    def _publish_window(self):
        if self.warning_publish_until <= self.warning_publish:
            raise ValueError(
                f"warning_publish_until ({self.warning_publish_until}) must be after warning_publish "
                f"({self.warning_publish})"
            )
        return self


class Calendar(Strict):
    holidays: list[date] = []
    workdays: list[date] = []


class DetectionSettings(Strict):
    """Surge detection per station and category (docs/detection.md has each method's formula)."""

    # C1, C2, C3: CDC EARS on daily counts; weekly: a Poisson upper limit on weekly counts. C3 by default:
    # in benchmarks/bench_detect.py it has the fewest false alarms of the daily methods at stations with
    # < 1 case a day per category (0.3 vs C2's 1.6 a year at 0.1 cases a day) for a few points of sensitivity.
    method: Literal["C1", "C2", "C3", "weekly"] = "C3"
    alpha: float = Field(default=0.001, gt=0, lt=0.5)  # EARS: alarm when the statistic > the normal quantile 1-alpha
    baseline_days: int = Field(default=7, ge=3, le=56)  # EARS baseline length
    guard_days: int = Field(default=2, ge=0, le=14)  # C2/C3: days between the baseline and the day tested
    # The baseline's standard deviation is at least this (sparse counts): 0.5 keeps a lone case after a week of
    # zeros from alarming; 0.75 or more loses half the outbreaks at 0.1 cases a day (bench_detect.py).
    min_sigma: float = Field(default=0.5, ge=0)
    weekly_weeks: int = Field(default=8, ge=3, le=52)  # weekly: the previous weeks the rate is taken from
    weekly_alpha: float = Field(default=0.01, gt=0, lt=0.5)
    min_cases: int = Field(default=2, ge=1, le=100)  # fewer cases on the day (or in the week) never alarm


class WebSettings(Strict):
    # Session cookies only over HTTPS. Set false only for a web UI on a trusted office network over plain HTTP.
    secure_cookies: bool = True
    session_hours: int = Field(default=12, ge=1, le=24 * 30)  # a login lasts this long
    # The key that signs sessions: from this environment variable, else generated once into secret_file.
    secret_key_env: str = "ANTIFRAUD_SECRET_KEY"
    secret_file: Path = Path("antifraud-web.key")
    # Reverse proxies in front (1 behind nginx): their X-Forwarded-For/-Proto give the client's address,
    # which login throttling counts by. 0: trust no such header.
    proxies: int = Field(default=0, ge=0, le=5)


class OutreachSettings(Strict):
    """The rota rules; defaults are the Shigu police room's."""

    talks_per_officer_min: int = Field(default=2, ge=0, le=10)
    talks_per_officer_max: int = Field(default=3, ge=0, le=10)
    talk_helpers_min: int = Field(default=1, ge=0, le=5)
    talk_helpers_max: int = Field(default=2, ge=0, le=5)
    stall_days: list[Weekday] = ["sat", "sun"]
    stall_time: TimeWindow = "19:30-21:30"
    stall_staff: int = Field(default=4, ge=1, le=20)
    # A stall is held with at least this many people (a lead among them) or not at all: with too few
    # people, fewer stalls fully staffed rather than several with one person each.
    stall_min_crew: int = Field(default=3, ge=1, le=20)
    no_stall_dates: list[date] = []  # no street stalls on these days (除夕 to 初二 are never stall days)
    # A preference, not a rule: a factory talked to within this many weeks goes after the others.
    factory_cooldown_weeks: int = Field(default=4, ge=0, le=52)
    fairness_weeks: int = Field(default=4, ge=1, le=52)
    solver_seconds: float = Field(default=2.0, gt=0, le=120)
    # Which groups get the rota and its reminders, by kind of event. Unset: the groups of the people
    # on it (staff for officers, auxiliaries and patrol; volunteers for volunteers).
    reminder_audience: dict[EventKindName, list[Audience]] = {}

    @field_validator("reminder_audience", mode="before")
    @classmethod
    def _one_audience_for_all(cls, value):
        # The older form, one audience for every kind of event ("volunteers"), still reads.
        return {"factory_talk": [value], "street_stall": [value]} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _ranges(self):
        for name in ("talks_per_officer", "talk_helpers"):
            low, high = getattr(self, f"{name}_min"), getattr(self, f"{name}_max")
            if low > high:
                raise ValueError(f"{name}_min ({low}) is more than {name}_max ({high})")
        if self.stall_min_crew > self.stall_staff:
            raise ValueError(f"stall_min_crew ({self.stall_min_crew}) is more than stall_staff ({self.stall_staff})")
        return self


class WarningSettings(Strict):
    quiet_day: Literal["none", "safety_tip"] = "none"


class Settings(Strict):
    timezone: Annotated[str, AfterValidator(_timezone)] = "Asia/Shanghai"
    database: str = "sqlite:///antifraud.db"
    database_timeout_seconds: float = Field(default=10, gt=0, le=600)  # a writer waits this long for another
    output_dir: Path = Path("posters")
    templates_dir: Path = Path("templates")
    backup_dir: Path = Path("backups")
    backup_keep: int = Field(default=7, ge=1, le=365)  # nightly SQLite copies kept
    # Sections left out of the file take their defaults; made when needed, not at import.
    publish: Publish = Field(default_factory=Publish)
    schedule: Schedule = Field(default_factory=Schedule)
    calendar: Calendar = Field(default_factory=Calendar)
    warning: WarningSettings = Field(default_factory=WarningSettings)
    outreach: OutreachSettings = Field(default_factory=OutreachSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    detection: DetectionSettings = Field(default_factory=DetectionSettings)
    categories: list[CategoryDef] = []
    stations: Annotated[list[Station], Field(min_length=1)]

    # Not from the file: where it was read from, so relative paths resolve against it.
    config_path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique_station_codes(self):
        codes = [s.code for s in self.stations]
        for code in codes:
            if codes.count(code) > 1:
                raise ValueError(f"stations: code {code!r} appears twice")
        return self

    @property
    def base_dir(self) -> Path:
        return self.config_path.parent if self.config_path else Path.cwd()

    def station(self, code: str | None) -> Station:
        """The station with this code; the first one when none is given."""
        if code is None:
            return self.stations[0]
        for station in self.stations:
            if station.code == code:
                return station
        known = ", ".join(s.code for s in self.stations)
        raise ConfigError(f"--station: {code!r} is not a station in the config (known: {known})")

    def station_timezone(self, station: Station) -> ZoneInfo:
        return ZoneInfo(station.timezone or self.timezone)

    @property
    def display_zone(self) -> ZoneInfo:
        """Where times are shown to people when no one station is meant: the first station's zone."""
        return self.station_timezone(self.stations[0])

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else (self.base_dir / path).resolve()

    @property
    def database_url(self) -> str:
        url = os.environ.get(DATABASE_ENV) or self.database
        prefix = "sqlite:///"
        if url.startswith(prefix):
            path = url[len(prefix) :]
            if path and path != ":memory:" and not path.startswith(("/", "file:")):  # file: is an SQLite URI
                return prefix + str(self.resolve(Path(path)))
        return url


def load_settings(path: str | os.PathLike) -> Settings:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"--config: {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--config: cannot read {str(path)!r}: {exc}") from None
    data = load_yaml(text, path.name)
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: must be a mapping of settings, got {type(data).__name__}")
    origins: dict[int, tuple[str, int | None]] = {}
    if isinstance(data.get("stations"), list):
        data = {**data, "stations": _include_stations(data["stations"], path.parent, origins)}

    def locate(loc):
        """An error in an included station names its file and the key path inside it."""
        if len(loc) >= 2 and loc[0] == "stations" and loc[1] in origins:
            name, index = origins[loc[1]]
            return f"{name}: ", ((index,) if index is not None else ()) + tuple(loc[2:])
        return "", loc

    try:
        return Settings.model_validate({**data, "config_path": path.resolve()})
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, locate)) from None


def _include_stations(entries: list, folder: Path, origins: dict) -> list:
    """`stations:` entries as given, with each `{include: stations/*.yaml}` replaced by the stations in
    the files it matches (sorted by name; a file holds one station, or a list of them)."""
    out = []
    for position, entry in enumerate(entries):
        if not (isinstance(entry, dict) and set(entry) == {"include"}):
            out.append(entry)
            continue
        pattern = entry["include"]
        if not isinstance(pattern, str) or not pattern.strip():
            raise ConfigError(f"stations[{position}].include: {pattern!r} must be a file pattern like stations/*.yaml")
        files = sorted(p for p in folder.glob(pattern) if p.is_file())
        if not files:
            raise ConfigError(f"stations[{position}].include: {pattern!r} matches no file in {folder}")
        for file in files:
            name = str(file.relative_to(folder)) if file.is_relative_to(folder) else str(file)
            try:
                loaded = load_yaml(file.read_text(encoding="utf-8"), name)
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{name}: cannot read it: {exc}") from None
            if isinstance(loaded, dict) and "include" not in loaded:
                origins[len(out)] = (name, None)
                out.append(loaded)
            elif isinstance(loaded, list) and all(isinstance(item, dict) for item in loaded):
                for index, item in enumerate(loaded):
                    origins[len(out)] = (name, index)
                    out.append(item)
            else:
                raise ConfigError(f"{name}: must be one station (a mapping with code, name, ...) or a list of them")
    return out
