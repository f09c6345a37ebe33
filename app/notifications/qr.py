"""QR codes for tickets, as SVG for pages and PNG for emails."""

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _make(data: str, box_size: int) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg(data: str) -> str:
    """Return a standalone SVG document (scales to any size, prints sharply)."""
    image = _make(data, box_size=10).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def qr_data_uri(data: str) -> str:
    """The QR code as an SVG `data:` URI, for an <img> (the CSP allows data: images)."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data).encode()).decode()


def qr_png(data: str, box_size: int = 8) -> bytes:
    """Return a PNG image, for email clients that do not show SVG."""
    image = _make(data, box_size=box_size).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
