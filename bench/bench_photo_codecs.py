"""The phone's photo encoders side by side (issue 18 §2), in Chromium, on camera-like scenes.

Photos: bench/photo_scenes.py (rendered with Pillow: a serial label, a printed form, a
splice tray, rack ports, a wall box; lens blur and sensor grain), saved as a camera would
(4032 x 3024 JPEG q92). Each goes through what the phone does in Debian's Chromium
(createImageBitmap, a canvas of the long edge, canvas.toBlob), once per setting: the old
resize (one drawImage step, JPEG q0.75: "today"), the phone's static/js/encode.js, JPEG and
WebP at several qualities, smaller long edges. Then the server's own path (imaging.process)
makes the display version reviewers look at (1600 px: a JPEG or WebP of display size is its
own display version, anything else gets a JPEG one), and that is judged against the scene
resized to the same size straight from the uncompressed render without the grain (grain is
no evidence; an encoder that keeps it spends bytes on noise): SSIM on luma (scikit-image)
over the whole photo and over the box of its smallest text (the serial, the form's header,
the tag), where legibility is lost first. The SSIM of the upload itself is shown too (the same
as reviewed now that a display-size WebP is not made a JPEG). The "encode.js" row is what the
phone sends: encode.js's own choice of type and quality, whatever this Chromium's canvas makes.

"Holds the evidence": on every photo, whole-photo SSIM and text-box SSIM at least today's
minus TOLERANCE. Prints bytes per photo, ratio to today's, SSIM, the time 8 photos take at
50 kbit/s up (bytes only, the link's own limit), and the smallest setting that holds.
Run: .venv/bin/python bench/bench_photo_codecs.py   (1-3 minutes; prints, asserts nothing)
"""

import base64
import io
import os
import sys
import tempfile
from pathlib import Path

import numpy
from PIL import Image
from playwright.sync_api import sync_playwright
from skimage.metrics import structural_similarity

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.dirname(__file__))

import photo_scenes  # noqa: E402
from browser_helpers import CHROMIUM  # noqa: E402
from browser_helpers import CHROMIUM_ARGS  # noqa: E402

from fieldapp.evidence import imaging  # noqa: E402

# (type, quality, long edge, resize): "low" is one drawImage step at the browsers' default
# smoothing (how photos.js resized before), "phone" the phone's own static/js/encode.js.
# PHONE: encode.js's resize and its own encodings (type and quality None: its choice).
TODAY = ("image/jpeg", 0.75, 1600, "low")
PHONE = (None, None, 1600, "phone")
SETTINGS = [
    TODAY,
    PHONE,
    ("image/jpeg", 0.72, 1600, "low"),
    ("image/jpeg", 0.6, 1600, "low"),
    ("image/jpeg", 0.5, 1600, "low"),
    ("image/jpeg", 0.75, 1280, "low"),
    ("image/webp", 0.8, 1600, "low"),
    ("image/webp", 0.6, 1600, "low"),
    ("image/jpeg", 0.75, 1600, "phone"),
    ("image/jpeg", 0.72, 1600, "phone"),
    ("image/jpeg", 0.7, 1600, "phone"),
    ("image/jpeg", 0.65, 1600, "phone"),
    ("image/jpeg", 0.6, 1600, "phone"),
    ("image/jpeg", 0.5, 1600, "phone"),
    ("image/webp", 0.85, 1600, "phone"),
    ("image/webp", 0.8, 1600, "phone"),
    ("image/webp", 0.79, 1600, "phone"),
    ("image/webp", 0.78, 1600, "phone"),
    ("image/webp", 0.77, 1600, "phone"),
    ("image/webp", 0.76, 1600, "phone"),
    ("image/webp", 0.75, 1600, "phone"),
    ("image/webp", 0.7, 1600, "phone"),
    ("image/webp", 0.65, 1600, "phone"),
    ("image/webp", 0.6, 1600, "phone"),
    ("image/webp", 0.55, 1600, "phone"),
    ("image/webp", 0.5, 1600, "phone"),
    ("image/webp", 0.6, 1280, "phone"),
]
TOLERANCE = 0.005  # SSIM steps smaller than this are not seen at review size
UPLINK = 50_000 / 8  # 50 kbit/s in bytes per second
PHOTOS = 8  # one installation's shot list

ORIGIN = "http://codecs.bench"  # served by the page's own routes: the bench page, static/js
# What photos.js's prepare() does with the bytes, minus EXIF, quality checks and hashing.
ENCODE = """async ([data, type, quality, longEdge, resize]) => {
  const file = await (await fetch(data)).blob();
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  let canvas;
  if (resize === "phone") {
    canvas = (await import("/static/js/encode.js")).resize(bitmap, longEdge);
  } else {
    const scale = Math.min(1, longEdge / Math.max(bitmap.width, bitmap.height));
    canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const context = canvas.getContext("2d");
    context.imageSmoothingQuality = resize;
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  }
  const blob = type === null ? await (await import("/static/js/encode.js")).toBlob(canvas)
    : await new Promise((resolve) => canvas.toBlob(resolve, type, quality));
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 32768) text += String.fromCharCode(...bytes.subarray(i, i + 32768));
  return [blob.type, btoa(text)];
}"""


def serve(route):
    """The bench page and the phone's modules, from this tree."""
    path = route.request.url.removeprefix(ORIGIN)
    if path.startswith("/static/js/"):
        body = (Path(ROOT) / path.lstrip("/")).read_bytes()
        return route.fulfill(body=body, content_type="text/javascript")
    return route.fulfill(body="<!doctype html><title>codecs</title>", content_type="text/html")


def luma(img):
    return numpy.asarray(img.convert("L"), dtype=numpy.float64)


def ssim(a, b):
    return structural_similarity(
        a, b, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )


def reviewed(upload, size):
    """What a reviewer sees: the server's display version, shown at the reference size."""
    with tempfile.NamedTemporaryFile(suffix=".img") as f:
        f.write(upload)
        f.flush()
        display = Image.open(io.BytesIO(imaging.process(f.name)["display"]))
    return display if display.size == size else display.resize(size, Image.Resampling.LANCZOS)


def main():
    scenes = photo_scenes.render()
    references, originals = {}, {}
    for name, (img, scene, box) in scenes.items():
        out = io.BytesIO()
        img.save(out, "JPEG", quality=92)
        originals[name] = "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
        reference = scene.copy()
        reference.thumbnail((imaging.DISPLAY_PX, imaging.DISPLAY_PX), Image.Resampling.LANCZOS)
        scale = reference.width / img.width
        crop = tuple(round(v * scale) for v in box)
        references[name] = (reference, crop, luma(reference), luma(reference.crop(crop)))
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route(f"{ORIGIN}/**", serve)
        page.goto(f"{ORIGIN}/")
        for setting in SETTINGS:
            rows = []
            for name, data in originals.items():
                mime, encoded = page.evaluate(ENCODE, [data, *setting])
                upload = base64.b64decode(encoded)
                reference, crop, whole, text = references[name]
                shown = reviewed(upload, reference.size)
                sent = Image.open(io.BytesIO(upload)).resize(reference.size, Image.Resampling.LANCZOS)
                rows.append(
                    (
                        len(upload),
                        ssim(whole, luma(shown)),
                        ssim(text, luma(shown.crop(crop))),
                        mime,
                        ssim(whole, luma(sent)),
                    )
                )
            results[setting] = rows
        version = browser.version
        browser.close()
    report(results, version, list(originals))


def report(results, version, names):
    today = results[TODAY]
    today_bytes = sum(r[0] for r in today) / len(today)
    print(
        f"photo codecs: Chromium {version}, {len(names)} scenes ({', '.join(names)}), camera JPEG q92"
    )
    print(
        "photo codecs: judged at review size (1600 px) by SSIM on luma vs the uncompressed render;"
        f" holds = every photo within {TOLERANCE} of today's, whole and text box"
    )
    print(
        f"{'encoder':<27}{'KB/photo':>9}{'vs today':>10}{'SSIM':>8}{'text SSIM':>11}{'8 @ 50k up':>12}  holds"
    )
    holding = []
    for setting, rows in results.items():
        size = sum(r[0] for r in rows) / len(rows)
        pairs = zip(rows, today, strict=True)
        holds = all(r[1] >= t[1] - TOLERANCE and r[2] >= t[2] - TOLERANCE for r, t in pairs)
        got = {r[3] for r in rows}
        label = _label(setting, got)
        print(
            f"{label:<27}{size / 1024:>9.0f}{size / today_bytes - 1:>+10.0%}"
            f"{numpy.mean([r[1] for r in rows]):>8.4f}{min(r[2] for r in rows):>11.4f}"
            f"{PHOTOS * size / UPLINK:>10.0f} s  {'yes' if holds else 'no ':<5}"
            f"({numpy.mean([r[4] for r in rows]):.4f})"
        )
        if holds:
            holding.append((size, label))
    print("per scene, SSIM whole / text box as reviewed (scenes in the order above):")
    for setting, rows in results.items():
        cells = "  ".join(f"{r[1]:.3f}/{r[2]:.3f}" for r in rows)
        print(f"  {_label(setting, {r[3] for r in rows}):<25} {cells}")
    best_size, best = min(holding)
    print(
        f"photo codecs: smallest that holds the evidence: {best}, {best_size / 1024:.0f} KB/photo, "
        f"{1 - best_size / today_bytes:.0%} fewer bytes than today's JPEG q0.75 (goal >= 35 %); "
        f"8 photos at 50 kbit/s: {PHOTOS * today_bytes / UPLINK:.0f} s -> {PHOTOS * best_size / UPLINK:.0f} s"
    )


def _label(setting, got):
    """"webp q0.80 1600px phone", "encode.js: webp" for the phone's own choice; what the
    canvas gave instead when it is not what was asked."""
    mime, quality, edge, resize = setting
    if mime is None:
        return "encode.js: " + "/".join(sorted(m.split("/")[1] for m in got))
    label = f"{mime.split('/')[1]} q{quality:.2f} {edge}px {resize}"
    return label if got == {mime} else f"{label} (got {got})"


if __name__ == "__main__":
    main()
