"""Is this installation ready to run? What `antifraud check` reports. Nothing is sent."""

from __future__ import annotations

from .errors import AntifraudError


def run_checks(app):
    """Yield (ok, what, detail) for each check, ok None for a note (nothing stops working); stops
    early when later checks cannot run."""
    try:
        settings = app.settings
    except AntifraudError as exc:
        yield False, "config", str(exc)
        return
    groups = sum(len(s.groups) for s in settings.stations)
    yield True, "config", f"{app.config_path} ({len(settings.stations)} station(s), {groups} group(s))"
    try:
        categories = app.categories
    except AntifraudError as exc:
        yield False, "categories", str(exc)
        return
    yield True, "categories", f"{len(categories)} categories"
    from .warnings.coverage import missing_glyphs

    try:
        problems = missing_glyphs(settings, categories)
    except AntifraudError as exc:
        yield False, "fonts", str(exc)
    else:
        for problem in problems:
            yield False, "fonts", str(problem)
        if not problems:
            yield True, "fonts", "every character in categories, labels, templates and station names is covered"
    from .warnings.audiences import load_profiles

    try:
        load_profiles(settings.resolve(settings.templates_dir), categories.by_code)
    except AntifraudError as exc:
        yield False, "audiences", str(exc)
    from .outreach.grid import grid_glyph_problems, grid_notes

    try:
        for problem in grid_glyph_problems(settings):
            yield False, "fonts", problem
    except AntifraudError as exc:
        yield False, "grid posters", str(exc)
    for note in grid_notes(settings):
        yield None, "grid posters", note
    try:
        from .db.session import health_check

        integrity = health_check(app.db)  # PRAGMA quick_check on SQLite; a round trip on PostgreSQL
        with app.db.session() as session:
            from sqlalchemy import func, select

            from .db.models import Incident

            count = session.scalar(select(func.count()).select_from(Incident))
        url = app.db.engine.url.render_as_string(hide_password=True)
        yield True, "database", f"{url} ({count} incident(s), {integrity})"
    except AntifraudError as exc:
        yield False, "database", str(exc).removeprefix("database: ")  # the line already says "database:"
    from .channels import channel_for

    for station_index, station in enumerate(settings.stations):
        for index, group in enumerate(station.groups):
            if group.channel == "folder":
                continue
            channel = channel_for(group)
            for key in ("webhook_env", "secret_env"):
                name = getattr(group, key)
                try:
                    if name:
                        channel.secret(name, key)
                except AntifraudError:
                    yield (
                        False,
                        "channels",
                        (
                            f"{station.code}: group {group.name!r} ({group.channel}) needs the environment "
                            f"variable {name} or {name}_FILE (stations[{station_index}].groups[{index}].{key})"
                        ),
                    )
    output = settings.resolve(settings.output_dir)
    try:
        output.mkdir(parents=True, exist_ok=True)
        probe = output / ".antifraud-write-test"
        probe.write_text("ok")
        probe.unlink()
        yield True, "output", str(output)
    except OSError as exc:
        yield False, "output", f"output_dir: cannot write to {str(output)!r} ({exc.strerror})"
