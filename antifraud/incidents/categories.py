"""Fraud categories: codes are stable; names, scripts and tips are data in templates/categories.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from pydantic import TypeAdapter, ValidationError

from ..config import CategoryDef, Settings
from ..errors import ConfigError, InputError
from ..lib.schema import describe_validation_error, load_yaml
from ..lib.templates import find_template
from ..vocab import OTHER_CATEGORY

CATEGORIES_FILE = "categories.yaml"


@dataclass(frozen=True)
class Categories:
    by_code: dict[str, CategoryDef]
    general_tips: tuple[str, ...]

    def __iter__(self):
        return iter(self.by_code.values())

    def __len__(self):
        return len(self.by_code)

    def __getitem__(self, code: str) -> CategoryDef:
        return self.by_code[code]

    def values(self):
        return self.by_code.values()

    def resolve(self, text: str, field: str = "category") -> CategoryDef:
        """A category from its code, Chinese name, short label or an alias."""
        category = self._by_name.get(_normalise(text))
        if category is not None:
            return category
        raise InputError(
            f"{field}: {text!r} is not a known category "
            f"(a code such as order_brushing or a name such as 刷单返利; `antifraud categories` lists them)"
        )

    @cached_property
    def _by_name(self) -> dict[str, CategoryDef]:
        # Built once: an import resolves one category per row. The first category to use a name keeps it.
        names: dict[str, CategoryDef] = {}
        for category in self.by_code.values():
            for name in (category.code, category.name, category.short or "", *category.aliases):
                if name:
                    names.setdefault(_normalise(name), category)
        return names


def _normalise(text: str) -> str:
    # People type the quotes around 百万医疗保险 in many ways, or not at all.
    return re.sub(r"[\s\"'“”‘’「」]", "", str(text)).lower()


def load_categories(settings: Settings) -> Categories:
    """The shipped categories, overridden file-wise by the station's templates/ and key-wise by config."""
    path = find_template(CATEGORIES_FILE, settings.resolve(settings.templates_dir))
    data = load_yaml(path.read_text(encoding="utf-8"), str(path)) or {}
    try:
        entries = TypeAdapter(list[CategoryDef]).validate_python(data.get("categories", []))
    except ValidationError as exc:
        raise ConfigError(f"{path}: categories{describe_validation_error(exc)}") from None
    by_code = {entry.code: entry for entry in entries}
    for entry in settings.categories:
        by_code[entry.code] = entry  # a station may reword a category or add its own
    if OTHER_CATEGORY not in by_code:
        raise ConfigError(f"{path}: the category {OTHER_CATEGORY!r} must exist (for incidents that fit nowhere else)")
    return Categories(by_code, tuple(data.get("general_tips", [])))
