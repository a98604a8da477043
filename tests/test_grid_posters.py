"""`antifraud grid-posters`: print-ready A4 PDFs per person with a grid, team PDFs, and what `check` notes."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
A4_POINTS = (595.28, 841.89)
QIAN = "name: 钱队员, role: patrol, team: 综管机动组, grid: 第一网格,"
SHIPPED_GRIDS = {
    "李警官": "13800000001",
    **{f"{n}队员": f"138000000{i}" for i, n in zip(range(21, 27), "钱孙冯陈褚卫")},
}


def pages(path: Path) -> list[tuple[tuple[float, float], str]]:
    """(size in points, text) of every page."""
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return [
            (tuple(round(v, 2) for v in page.get_size()), page.get_textpage().get_text_range()) for page in document
        ]
    finally:
        document.close()


def embedded_fonts(path: Path) -> list[str]:
    """The subset font names (ABCDEF+Name) of the fonts embedded in the file."""
    data = path.read_bytes()
    assert b"/FontFile" in data  # the font program itself is in the file
    return re.findall(rb"/BaseFont\s*/([A-Z]{6}\+[\w-]+)", data)


def image_objects(path: Path) -> int:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return sum(1 for obj in document[0].get_objects() if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE)
    finally:
        document.close()


def test_one_a4_pdf_per_person_with_a_grid_and_a_pdf_per_team(run, shigu, tmp_path):
    result = run("grid-posters")
    assert result.code == 0, result.err
    folder = tmp_path / "posters" / "grid" / "shigu"
    written = sorted(p.stem for p in folder.glob("*.pdf"))
    assert written == sorted(SHIPPED_GRIDS)  # people without a grid (volunteers, auxiliaries) get none
    for name, phone in SHIPPED_GRIDS.items():
        [(size, text)] = pages(folder / f"{name}.pdf")
        assert size == A4_POINTS
        assert name in text and f"{phone[:3]} {phone[3:7]} {phone[7:]}" in text  # the number as people read it
        assert "96110" in text and "110" in text and "石鼓社区警务室" in text
        assert embedded_fonts(folder / f"{name}.pdf")  # subset, embedded: prints the same anywhere
        with Image.open(folder / f"{name}.png") as preview:
            assert abs(preview.width / preview.height - 210 / 297) < 0.01
    team = pages(folder / "teams" / "综管机动组.pdf")
    assert len(team) == 6 and all(size == A4_POINTS for size, _ in team)
    assert [next(n for n in SHIPPED_GRIDS if n in text) for _, text in team] == [f"{n}队员" for n in "钱孙冯陈褚卫"]
    assert "7 grid poster(s)" in result.out
    assert "no photo (a silhouette is printed)" in result.err


def test_a_photo_is_printed_at_300_dpi_and_a_missing_one_is_a_silhouette(run, shigu, tmp_path):
    photo = tmp_path / "photos" / "qian.jpg"
    photo.parent.mkdir()
    Image.new("RGB", (600, 900), "#7A9CC6").save(photo)
    text = shigu.read_text(encoding="utf-8")
    shigu.write_text(text.replace(QIAN, QIAN + " photo: photos/qian.jpg,"), encoding="utf-8")
    assert run("grid-posters", "--team", "综管机动组").code == 0
    folder = tmp_path / "posters" / "grid" / "shigu"
    assert image_objects(folder / "钱队员.pdf") == 1
    assert image_objects(folder / "孙队员.pdf") == 0  # the silhouette is drawn, not a picture
    document = pdfium.PdfDocument((folder / "钱队员.pdf").read_bytes())
    [picture] = [o for o in document[0].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    width_px, _ = picture.get_px_size()
    left, _, right, _ = picture.get_bounds()
    assert width_px / ((right - left) / 72) == pytest.approx(300, rel=0.02)  # dots per printed inch
    document.close()
    assert not (folder / "李警官.pdf").exists()  # another team's


def test_name_picks_one_poster_and_unknown_names_are_one_line_errors(run, shigu, tmp_path):
    result = run("grid-posters", "--name", "陈队员")
    assert result.code == 0, result.err
    folder = tmp_path / "posters" / "grid" / "shigu"
    assert [p.name for p in folder.glob("*.pdf")] == ["陈队员.pdf"] and not (folder / "teams").exists()
    for args, field in ((("--name", "无名氏"), "--name"), (("--team", "无此队"), "--team")):
        refused = run("grid-posters", *args)
        assert refused.code == 2 and refused.err.startswith(f"error: {field}: ") and len(refused.err.splitlines()) == 1


def test_check_notes_people_with_a_grid_but_no_phone_or_photo(run, shigu, tmp_path, monkeypatch):
    text = shigu.read_text(encoding="utf-8")
    text = text.replace('grid: 第二网格, phone: "13800000022"', "grid: 第二网格")
    text = text.replace(QIAN, QIAN + " photo: photos/qian.jpg,")
    shigu.write_text(text, encoding="utf-8")
    out = run("check").out
    assert "note  grid posters: shigu: 孙队员 (第二网格) has no phone" in out
    assert "钱队员 (第一网格): photo " in out and "qian.jpg does not exist" in out
    assert "卫队员 (第六网格) has no photo" in out
    assert "李警官" in out and "蒋志愿者" not in out  # volunteers have no grid
    (tmp_path / "photos").mkdir()
    Image.new("RGB", (300, 400), "#888888").save(tmp_path / "photos" / "qian.jpg")
    assert "钱队员" not in run("check").out
    poster = run("grid-posters", "--name", "孙队员")
    assert poster.code == 0 and "no phone: 孙队员" in poster.err


def test_a_layout_that_does_not_fit_the_page_is_refused_naming_it(run, shigu, tmp_path):
    own = tmp_path / "templates"  # the station's own templates (templates_dir, beside config.yaml)
    own.mkdir(exist_ok=True)
    layout = (REPO / "templates" / "grid_poster.yaml").read_text(encoding="utf-8")
    (own / "grid_poster.yaml").write_text(
        layout.replace("photo: {width: 88, height: 110}", "photo: {width: 150, height: 200}"), "utf-8"
    )
    result = run("grid-posters", "--name", "钱队员")
    assert (
        result.code == 2
        and "grid_poster.yaml: 钱队员's poster is" in result.err
        and "taller than the page" in result.err
    )


def test_check_names_a_character_the_grid_posters_fonts_lack(run, shigu):
    text = shigu.read_text(encoding="utf-8").replace("grid: 第二网格,", "grid: 第二网格🏠,")
    shigu.write_text(text, encoding="utf-8")
    checked = run("check")
    assert checked.code == 2
    assert "PROBLEM  fonts: shigu: grid_poster: the character '🏠' (U+1F3E0)" in checked.out
    assert "孙队员: grid" in checked.out
    poster = run("grid-posters", "--name", "孙队员")
    assert poster.code == 2 and "'🏠'" in poster.err and len(poster.err.splitlines()) == 1
