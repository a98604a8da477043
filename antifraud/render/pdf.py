"""Print-ready pages: vector text in embedded, subset fonts (fpdf2), and a PNG preview of a page
rasterised from the PDF itself (PDFium), so the preview is exactly what the print shop gets.

Units are millimetres from the top left corner; type sizes are points. Every string is checked
against the fonts before it is placed: a character no font has is a GlyphMissing, never a box.
"""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from .fonts import FontSet
from .qr import qr_matrix

PT = 25.4 / 72  # millimetres per point
LINE = 1.25  # a line of text is this many times its type size tall


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


class Document:
    """Pages of one size, drawn with a regular and a bold font set (each a primary and fallbacks)."""

    def __init__(self, width: float, height: float, regular: FontSet, bold: FontSet, title: str = ""):
        from fpdf import FPDF

        self.width, self.height = width, height
        self.fonts = {False: regular, True: bold}
        self.pdf = FPDF(unit="mm", format=(width, height))
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margin(0)
        self.pdf.set_title(title)
        self.pdf.set_creator("antifraud")
        for bold, fonts in self.fonts.items():
            self.pdf.add_font(f"f{int(bold)}0", "", str(fonts.paths[0]))
        self._fallbacks = False

    def _use_fallbacks(self) -> None:
        """Register the fallback fonts (the rare-character one is 6 MB): only for text that needs them."""
        if self._fallbacks:
            return
        families = []
        for bold, fonts in self.fonts.items():
            for index, path in enumerate(fonts.paths[1:], start=1):
                self.pdf.add_font(f"f{int(bold)}{index}", "", str(path))
                families.append(f"f{int(bold)}{index}")
        self.pdf.set_fallback_fonts(families, exact_match=False)
        self._fallbacks = True

    def add_page(self) -> None:
        self.pdf.add_page()

    def _font(self, size: float, bold: bool) -> None:
        self.pdf.set_font(f"f{int(bold)}0", "", size)

    def check(self, text: str, where: str, bold: bool = False) -> None:
        fonts = self.fonts[bold]
        fonts.check(text, where, show_text=True)
        if not fonts.covered_by_primary(text):
            self._use_fallbacks()

    def text_width(self, text: str, size: float, bold: bool = False) -> float:
        self._font(size, bold)
        return self.pdf.get_string_width(text)

    def fitted(self, text: str, size: float, width: float, bold: bool = False, smallest: float = 10) -> float:
        """The largest size up to `size` at which the text fits in `width` on one line."""
        while size > smallest and self.text_width(text, size, bold) > width:
            size = max(smallest, size * 0.94)
        return size

    def text(
        self,
        text: str,
        x: float,
        top: float,
        size: float,
        colour: str,
        *,
        bold: bool = False,
        width: float | None = None,
        align: str = "L",
        where: str = "text",
    ) -> float:
        """One line whose box starts at `top`, shrunk to fit `width` (default: to the right edge).
        Returns the bottom of the line."""
        self.check(text, where, bold)
        width = self.width - x if width is None else width
        size = self.fitted(text, size, width, bold)
        self._font(size, bold)
        self.pdf.set_text_color(*_rgb(colour))
        line = size * PT * LINE
        self.pdf.set_xy(x, top)
        self.pdf.cell(width, line, text, align=align)
        return top + line

    def rect(self, x: float, y: float, w: float, h: float, colour: str, radius: float = 0) -> None:
        self.pdf.set_fill_color(*_rgb(colour))
        self.pdf.set_draw_color(*_rgb(colour))
        self.pdf.rect(x, y, w, h, style="F", round_corners=radius > 0, corner_radius=radius)

    def frame(self, x: float, y: float, w: float, h: float, colour: str, thickness: float) -> None:
        self.pdf.set_draw_color(*_rgb(colour))
        self.pdf.set_line_width(thickness)
        self.pdf.rect(x, y, w, h, style="D")

    def image(self, image: Image.Image, x: float, y: float, w: float, h: float) -> None:
        self.pdf.image(image, x=x, y=y, w=w, h=h)

    def silhouette(self, x: float, y: float, w: float, h: float, background: str, figure: str) -> None:
        """A plain head-and-shoulders figure where a photo is missing: a placeholder, not a blank."""
        self.rect(x, y, w, h, background)
        self.pdf.set_fill_color(*_rgb(figure))
        head = w * 0.36
        self.pdf.ellipse(x + (w - head) / 2, y + h * 0.16, head, head * 1.12, style="F")
        with self.pdf.rect_clip(x, y, w, h):
            shoulders = w * 0.86
            self.pdf.ellipse(x + (w - shoulders) / 2, y + h * 0.62, shoulders, h * 0.7, style="F")

    def qr(self, link: str, x: float, y: float, size: float) -> None:
        """A QR code as vector squares: sharp at any print size."""
        matrix = qr_matrix(link)
        cell = size / len(matrix)
        self.rect(x, y, size, size, "#FFFFFF")
        self.pdf.set_fill_color(0, 0, 0)
        for row, cells in enumerate(matrix):
            column = 0
            while column < len(cells):
                if cells[column]:
                    run = column
                    while run < len(cells) and cells[run]:
                        run += 1
                    # A hair wider than the run so neighbouring squares print without white seams.
                    self.pdf.rect(x + column * cell, y + row * cell, (run - column) * cell + 0.01, cell + 0.01, "F")
                    column = run
                else:
                    column += 1

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def split_pages(pdf: bytes) -> list[bytes]:
    """Each page of a PDF as a PDF of its own (fonts and images go along)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(BytesIO(pdf))
    try:
        pages = []
        for index in range(len(document)):
            single = pdfium.PdfDocument.new()
            single.import_pages(document, [index])
            buffer = BytesIO()
            single.save(buffer)
            single.close()
            pages.append(buffer.getvalue())
        return pages
    finally:
        document.close()


def png_preview(pdf: bytes, page: int = 0, dpi: int = 100) -> bytes:
    """A page of a PDF as PNG bytes, rendered by PDFium (what a viewer or a printer shows)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(BytesIO(pdf))
    try:
        image = document[page].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()
    buffer = BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
