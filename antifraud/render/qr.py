"""QR codes for posters (the station's link), drawn once per link and size."""

from __future__ import annotations

from functools import lru_cache

from PIL import Image


def _code(link: str):
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(link)
    code.make(fit=True)
    return code


@lru_cache(maxsize=256)
def qr_matrix(link: str) -> tuple[tuple[bool, ...], ...]:
    """The code's modules, quiet border included, row by row (True: dark), for vector drawing."""
    return tuple(tuple(row) for row in _code(link).get_matrix())


@lru_cache(maxsize=256)
def qr_image(link: str, size: int) -> Image.Image:
    return (
        _code(link)
        .make_image(fill_color="black", back_color="white")
        .get_image()
        .convert("RGB")
        .resize((size, size), Image.NEAREST)
    )
