"""Find template files: a station's own templates/ first, then the defaults shipped with the app."""

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # antifraud/


@cache
def default_templates_dir() -> Path:
    # In a wheel the top-level templates/ is shipped as antifraud/_templates;
    # in a source checkout (or an editable install) it sits beside the package.
    for candidate in (_PACKAGE_DIR / "_templates", _PACKAGE_DIR.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("antifraud's default templates/ folder is missing from the installation")


def template_dirs(station_dir: Path | None) -> list[Path]:
    """Folders to search, most specific first (file-by-file override)."""
    dirs = []
    if station_dir is not None and station_dir.is_dir():
        dirs.append(station_dir.resolve())
    default = default_templates_dir()
    if default not in dirs:
        dirs.append(default)
    return dirs


def find_template(name: str, station_dir: Path | None) -> Path:
    for folder in template_dirs(station_dir):
        path = folder / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"template {name!r} not found in {', '.join(map(str, template_dirs(station_dir)))}")
