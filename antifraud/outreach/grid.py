"""Grid contact posters (网格联系海报): one A4 page per person with a `grid:` in config, with their
photo, name, phone and a QR code, for residents to reach them; one combined PDF per team for the
print shop. Layout in templates/grid_poster.yaml (or a station's own copy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageOps
from pydantic import Field

from ..config import Person, Settings, Station
from ..errors import ConfigError, InputError
from ..lib.files import write_atomic
from ..lib.schema import Strict
from ..render.fonts import GlyphMissing
from ..render.layout import Colour, LayoutFile, load_layout_file
from ..render.layout import label as _label
from ..render.pdf import LINE, PT, Document, png_preview, split_pages
from ..vocab import role_name

LAYOUT_FILE = "grid_poster.yaml"
PRINT_DPI = 300  # photos are embedded at this resolution of their printed size
PREVIEW_DPI = 100


class GridPage(Strict):
    width: float = Field(default=210, ge=50, le=1000)  # mm
    height: float = Field(default=297, ge=50, le=1000)


class GridColours(Strict):
    header: Colour
    header_text: Colour
    header_subtext: Colour
    text: Colour
    muted: Colour
    accent: Colour
    panel: Colour
    photo_frame: Colour
    placeholder: Colour
    placeholder_figure: Colour
    footer: Colour
    footer_text: Colour


Points = float


class GridSizes(Strict):
    title: Points = Field(default=46, ge=8, le=200)
    subtitle: Points = Field(default=22, ge=8, le=200)
    grid: Points = Field(default=32, ge=8, le=200)
    name: Points = Field(default=64, ge=8, le=200)
    team: Points = Field(default=24, ge=8, le=200)
    phone_label: Points = Field(default=22, ge=8, le=200)
    phone: Points = Field(default=66, ge=8, le=200)
    hotline: Points = Field(default=24, ge=8, le=200)
    address: Points = Field(default=17, ge=8, le=200)
    qr_caption: Points = Field(default=15, ge=8, le=200)
    footer: Points = Field(default=15, ge=8, le=200)


class Box(Strict):
    width: float = Field(ge=10, le=500)
    height: float = Field(ge=10, le=500)


class Square(Strict):
    size: float = Field(ge=15, le=200)


class GridLabels(Strict):
    title: _label("station")
    subtitle: _label("station")
    grid: _label("grid", "station")
    team: _label("team", "role")
    phone_label: _label()
    qr_caption: _label()
    address: _label("address")
    footer: _label("station")


class GridLayout(LayoutFile):
    page: GridPage = GridPage()
    margin: float = Field(default=14, ge=0, le=60)
    colors: GridColours
    sizes: GridSizes = GridSizes()
    photo: Box = Box(width=100, height=125)
    qr: Square = Square(size=40)
    labels: GridLabels


def load_grid_layout(station_templates: Path | None) -> GridLayout:
    return load_layout_file(LAYOUT_FILE, GridLayout, station_templates)


def spaced_phone(phone: str) -> str:
    """138 0000 0021 for a mobile number, as people read it aloud; other numbers as written."""
    digits = phone.replace(" ", "").replace("-", "")
    if len(digits) == 11 and digits.isdigit() and digits.startswith("1"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return phone


def poster_people(station: Station, team: str | None = None, name: str | None = None) -> list[Person]:
    """The station's people with a grid (optionally of one team, or one person), in config order."""
    people = [p for p in station.people if p.grid]
    if team is not None:
        teams = sorted({p.team for p in people if p.team})
        if team not in teams:
            raise InputError(f"--team: {team!r} has nobody with a grid at {station.code} (teams: {', '.join(teams)})")
        people = [p for p in people if p.team == team]
    if name is not None:
        found = [p for p in people if p.name == name]
        if not found:
            raise InputError(f"--name: {name!r} is nobody with a grid at {station.code}")
        people = found
    return people


def photo_file(settings: Settings, person: Person) -> Path | None:
    """The person's photo file, if config names one and it is there (else the poster has a silhouette)."""
    path = settings.resolve(person.photo) if person.photo else None
    return path if path is not None and path.is_file() else None


def _photo(path: Path | None, box: Box) -> Image.Image | None:
    """The photo cropped to the box's shape and sized for 300 dpi print; None without one."""
    if path is None:
        return None
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
    except OSError as exc:
        raise InputError(f"photo: {path} is not an image Pillow can read ({exc})") from None
    pixels = (round(box.width / 25.4 * PRINT_DPI), round(box.height / 25.4 * PRINT_DPI))
    return ImageOps.fit(image, pixels, Image.LANCZOS, centering=(0.5, 0.35))


def draw_poster(doc: Document, layout: GridLayout, settings: Settings, station: Station, person: Person) -> None:
    """One page, top to bottom: header, grid, photo, name and team, phone, hotlines beside the QR
    code, footer. Each block starts below the one before; content that would reach the footer is
    a ConfigError naming how much to take out, never an overlap."""
    c, z, labels = layout.colors, layout.sizes, layout.labels
    width, height, margin = layout.page.width, layout.page.height, layout.margin
    inner = width - 2 * margin
    doc.add_page()

    header = line_height(z.title) + line_height(z.subtitle) + 4
    doc.rect(0, 0, width, header, c.header)
    y = doc.text(labels.title.format(station=station.name), margin, 2, z.title, c.header_text, bold=True,
                 width=inner, align="C", where="labels.title")  # fmt: skip
    doc.text(labels.subtitle.format(station=station.name), margin, y, z.subtitle, c.header_subtext, width=inner,
             align="C", where="labels.subtitle")  # fmt: skip

    y = doc.text(labels.grid.format(grid=person.grid, station=station.name), margin, header + 3, z.grid, c.accent,
                 bold=True, width=inner, align="C", where=f"{person.name}: grid")  # fmt: skip

    box = layout.photo
    x = (width - box.width) / 2
    photo = _photo(photo_file(settings, person), box)
    if photo is None:
        doc.silhouette(x, y + 2, box.width, box.height, c.placeholder, c.placeholder_figure)
    else:
        doc.image(photo, x, y + 2, box.width, box.height)
    doc.frame(x, y + 2, box.width, box.height, c.photo_frame, 1.2)
    y += 2 + box.height + 2

    y = doc.text(person.name, margin, y, z.name, c.text, bold=True, width=inner, align="C",
                 where=f"{person.name}: name")  # fmt: skip
    team = labels.team.format(team=person.team or role_name(person.role), role=role_name(person.role))
    y = doc.text(team, margin, y - 1, z.team, c.muted, width=inner, align="C", where=f"{person.name}: team")

    panel_top = y + 2
    panel_height = line_height(z.phone_label) + line_height(z.phone) + 3
    doc.rect(margin, panel_top, inner, panel_height, c.panel, radius=4)
    y = doc.text(labels.phone_label, margin, panel_top + 1.5, z.phone_label, c.muted, width=inner, align="C",
                 where="labels.phone_label")  # fmt: skip
    phone = spaced_phone(person.phone) if person.phone else "—"
    doc.text(phone, margin, y, z.phone, c.accent, bold=True, width=inner, align="C", where=f"{person.name}: phone")
    y = panel_top + panel_height + 3

    link = person.qr or (f"tel:{person.phone.replace(' ', '')}" if person.phone else station.link)
    qr = layout.qr.size if link else 0
    text_width = inner - (qr + 6 if link else 0)
    bottom = y
    for hotline in station.hotlines:
        bottom = doc.text(f"{hotline.label} {hotline.number}", margin, bottom, z.hotline, c.text, bold=True,
                          width=text_width, where="hotlines")  # fmt: skip
    if station.address:
        bottom = doc.text(labels.address.format(address=station.address), margin, bottom + 1, z.address, c.muted,
                          width=text_width, where="address")  # fmt: skip
    if link:
        qr_x = width - margin - qr
        doc.qr(link, qr_x, y, qr)
        bottom = max(bottom, doc.text(labels.qr_caption, qr_x - 4, y + qr, z.qr_caption, c.muted, width=qr + 8,
                                      align="C", where="labels.qr_caption"))  # fmt: skip

    footer_height = line_height(z.footer) + 4
    footer_top = height - footer_height
    if bottom > footer_top:
        raise ConfigError(
            f"{LAYOUT_FILE}: {person.name}'s poster is {bottom - footer_top:.0f} mm taller than the page; "
            "make photo:, qr: or sizes: smaller"
        )
    doc.rect(0, footer_top, width, footer_height, c.footer)
    doc.text(labels.footer.format(station=station.name), margin, footer_top + 2, z.footer, c.footer_text,
             width=inner, align="C", where="labels.footer")  # fmt: skip


def line_height(points: float) -> float:
    """The height in millimetres of one line of type of this size, as Document.text sets it."""
    return points * PT * LINE


@dataclass
class GridPosters:
    folder: Path
    people: list[Path] = field(default_factory=list)  # one PDF per person
    previews: list[Path] = field(default_factory=list)  # one PNG per person
    teams: dict[str, Path] = field(default_factory=dict)  # team name -> combined PDF
    missing_photo: list[str] = field(default_factory=list)
    missing_phone: list[str] = field(default_factory=list)


def _file_name(name: str) -> str:
    return "".join("_" if ch in '/\\:*?"<>|' or ch.isspace() else ch for ch in name)


def write_grid_posters(
    settings: Settings, station: Station, team: str | None = None, name: str | None = None
) -> GridPosters:
    """Every poster of the station (or of one team, or one person) under output_dir/grid/<station>/:
    <name>.pdf and <name>.png per person, and teams/<team>.pdf with the pages of everyone in the team.
    Each team is drawn as one PDF (its fonts subset once) and split into a PDF per person."""
    people = poster_people(station, team, name)
    layout = load_grid_layout(settings.resolve(settings.templates_dir))
    folder = settings.resolve(settings.output_dir) / "grid" / station.code
    report = GridPosters(folder)
    teams: dict[str, list[Person]] = {}
    for person in people:
        teams.setdefault(person.team or "未分组", []).append(person)
    for team_name, members in teams.items():
        regular, bold = layout.font_sets(settings.resolve(settings.templates_dir))
        doc = Document(layout.page.width, layout.page.height, regular, bold, f"{station.name} {team_name} 网格联系海报")
        for person in members:
            draw_poster(doc, layout, settings, station, person)
        combined = doc.output()
        if name is None:
            report.teams[team_name] = write_atomic(folder / "teams" / f"{_file_name(team_name)}.pdf", combined)
        for person, page in zip(members, split_pages(combined), strict=True):
            pdf = write_atomic(folder / f"{_file_name(person.name)}.pdf", page)
            report.people.append(pdf)
            report.previews.append(write_atomic(pdf.with_suffix(".png"), png_preview(page, dpi=PREVIEW_DPI)))
            if photo_file(settings, person) is None:
                report.missing_photo.append(person.name)
            if not person.phone:
                report.missing_phone.append(person.name)
    return report


def grid_notes(settings: Settings) -> list[str]:
    """People with a grid whose poster would lack a phone number or a photo: what `check` notes."""
    notes = []
    for station in settings.stations:
        for person in station.people:
            if not person.grid:
                continue
            who = f"{station.code}: {person.name} ({person.grid})"
            if not person.phone:
                notes.append(f"{who} has no phone: residents could not call from the grid poster")
            if person.photo is None:
                notes.append(f"{who} has no photo: the grid poster shows a silhouette")
            elif photo_file(settings, person) is None:
                path = settings.resolve(person.photo)
                notes.append(f"{who}: photo {path} does not exist: the grid poster shows a silhouette")
    return notes


def grid_glyph_problems(settings: Settings) -> list[str]:
    """Characters of the grid posters' words (names, grids, teams, labels, addresses) that the grid
    layout's fonts lack: the poster would refuse to draw them, so `check` says so first."""
    station_templates = settings.resolve(settings.templates_dir)
    problems = []
    for station in settings.stations:
        people = [p for p in station.people if p.grid]
        if not people:
            continue
        layout = load_grid_layout(station_templates)
        regular, bold = layout.font_sets(station_templates)
        labels = layout.labels.model_dump()
        texts = [(f"labels.{key}", value, key in ("title", "grid")) for key, value in labels.items()]
        texts += [("address", station.address or "", False), ("name", station.name, True)]
        texts += [(f"{h.label}", h.label, True) for h in station.hotlines]
        for person in people:
            texts += [(f"{person.name}: name", person.name, True), (f"{person.name}: grid", person.grid, True)]
            texts += [(f"{person.name}: team", person.team or "", False)]
        for where, text, is_bold in texts:
            try:
                (bold if is_bold else regular).check(text, where, show_text=True)
            except GlyphMissing as exc:
                problems.append(f"{station.code}: {exc}")
    return problems
