"""Audience profiles (templates/audiences.yaml): what each kind of group's variant of the morning
warning puts first, how plainly it says it, and how big the poster's type is.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, RootModel

from ..errors import ConfigError
from ..lib.schema import Strict, read_model
from ..lib.templates import find_template
from ..vocab import Audience

PROFILES_FILE = "audiences.yaml"
PUBLIC = "residents"  # the variant every audience without a profile of its own gets


class Profile(Strict):
    categories: list[str] = []  # category codes, most important for this audience first
    summary_chars: int | None = Field(default=None, ge=0, le=500)  # a case in at most this many characters
    tips: int | None = Field(default=None, ge=1, le=5)  # at most this many tips
    poster_scale: float = Field(default=1.0, ge=0.8, le=1.6)  # the poster's body type, larger or smaller
    full: bool = False  # every case of the day, each with its loss (the staff's own groups)

    def rank(self, code: str) -> int:
        """Where a category stands for this audience: its place in `categories`, else after them all."""
        return self.categories.index(code) if code in self.categories else len(self.categories)


class Profiles(RootModel[dict[Audience, Profile]]):
    def of(self, audience: str) -> Profile:
        return self.root.get(audience) or self.root.get(PUBLIC) or Profile()


def load_profiles(station_templates: Path | None, category_codes=None) -> Profiles:
    """The station's own audiences.yaml if it has one, else the shipped one; codes checked when given."""
    path = find_template(PROFILES_FILE, station_templates)
    profiles = _load(path, path.stat().st_mtime_ns)
    if category_codes is not None:
        known = set(category_codes)
        for audience, profile in profiles.root.items():
            for index, code in enumerate(profile.categories):
                if code not in known:
                    raise ConfigError(
                        f"{PROFILES_FILE}: {audience}.categories[{index}]: {code!r} is not a category code"
                    )
    return profiles


@lru_cache(maxsize=8)
def _load(path: Path, _mtime: int) -> Profiles:
    return read_model(path, Profiles)


def own_variants(station, audiences, profiles: Profiles) -> set[str]:
    """The audiences of the station's groups the warning goes to whose profile differs from the public
    one: each gets a variant of its own; every other group gets the public one."""
    public = profiles.of(PUBLIC)
    return {g.audience for g in station.groups if g.audience in audiences and profiles.of(g.audience) != public}
