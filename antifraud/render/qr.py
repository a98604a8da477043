"""QR codes for posters (the station's link), drawn once per link and size."""

from __future__ import annotations

from functools import lru_cache

from PIL import Image


@lru_cache(maxsize=256)
def qr_image(link: str, size: int) -> Image.Image:
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(link)
    code.make(fit=True)
    return (
        code.make_image(fill_color="black", back_color="white")
        .get_image()
        .convert("RGB")
        .resize((size, size), Image.NEAREST)
    )
