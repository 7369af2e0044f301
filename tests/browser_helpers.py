"""Phone stand-ins for the technician app's browser tests: camera file, photos, sign-in."""

import io
import os
import shutil
from datetime import datetime

import qrcode
from PIL import Image
from PIL import ImageDraw
from PIL import TiffImagePlugin

# Debian's Chromium, never a downloaded one; without the background-networking flags it floods
# the closed network with refused connections (shared/TESTING.md). Tests and benches use these.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 800}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
FAKE_CAMERA_ARGS = ["--use-fake-device-for-media-stream"]


def qr_image(text, size=480):
    """A QR code of `text` on a white square of `size` px (quiet zone included)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=4, box_size=8)
    qr.add_data(text)
    return qr.make_image(fill_color="black", back_color="white").convert("L").resize((size, size))


def write_y4m(path, image, width=640, height=480):
    """A one-frame 640x480 YUV4MPEG2 4:2:0 file (Chromium's fake webcam) from a gray image."""
    frame = Image.new("L", (width, height), 255)
    frame.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F1:1 Ip A1:1 C420jpeg\n".encode())
        f.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


def _rational(value):
    return TiffImagePlugin.IFDRational(int(value * 1_000_000), 1_000_000)


def phone_photo(path, seed=0, size=(4032, 3024), when=datetime(2026, 11, 24, 10, 30), lat=42.9, lon=71.4):
    """A 4032x3024 JPEG with EXIF orientation, capture time and GPS, like a phone camera's."""
    # Sensor-like grain over a scene: compresses like a real photo, not like a flat colour.
    grain = Image.effect_noise((size[0] // 2, size[1] // 2), 48).resize(size)
    image = Image.merge("RGB", [grain, grain.rotate(180), Image.new("L", size, 90 + seed * 30)])
    draw = ImageDraw.Draw(image)
    for i in range(0, size[0], 97):  # detail, so the JPEG is phone-sized, not a flat colour
        draw.line([(i, 0), (size[0] - i, size[1])], fill=((i * 7 + seed * 31) % 255, i % 255, 90), width=9)
    exif = Image.Exif()
    exif[0x0112] = 1
    exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", tuple(_rational(v) for v in (int(lat), 0, 0))
    gps[3], gps[4] = "E", tuple(_rational(v) for v in (int(lon), (lon % 1) * 60, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def sign_in(page, base_url, username="tech", password="pw"):
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/tech/sites")


def open_app(page, base_url, path="/tech/app", worker=True):
    """Open the shell and wait until the sites arrived (and the service worker controls it)."""
    page.goto(f"{base_url}{path}")
    ready = "body[data-ready='1'][data-controlled='1']" if worker else "body[data-ready='1']"
    page.wait_for_selector(ready, state="attached")
    page.wait_for_selector(".site-name")


def save_note(page, site_id, text):
    """Write a note on a site's notes screen (queued in the outbox, sent shortly after)."""
    page.goto(f"{page.url.split('#')[0]}#/site/{site_id}/notes")
    page.fill("[name=note]", text)
    page.click("form button")
    page.wait_for_url(f"**#/site/{site_id}")


def wait_until(page, predicate, timeout_ms=10_000):
    """Let the page run (and route handlers answer) until `predicate()` holds."""
    for _ in range(timeout_ms // 50):
        if predicate():
            return
        page.wait_for_timeout(50)
    raise AssertionError("condition not reached")
