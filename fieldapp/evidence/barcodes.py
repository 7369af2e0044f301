"""Reading the barcodes and QR codes on an equipment label photo (zxing-cpp), once, when the
photo is stored: a review then compares the typed serial with what the label itself says.

Only photos of labels are read (photo.LABEL_SHOTS), from their display version (<= 1600 px):
7 ms median for an 800x600 label and 17 ms at 1280x960 on this machine, 0.7-0.9 times what
imaging.process() takes for the same photo (bench/bench_barcodes.py); done at check time
instead it would be paid on every review page view.
"""

import io
import json
import logging

import zxingcpp
from PIL import Image

# What equipment labels carry (the phone's BarcodeDetector asks for the same three).
FORMATS = [zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.DataMatrix]
log = logging.getLogger(__name__)


def read(image_bytes):
    """The texts of the codes found in an image, in zxing's order, duplicates dropped."""
    with Image.open(io.BytesIO(image_bytes)) as img:
        # Labels are dark on light: not trying the inverted image halves the time (measured on
        # 40 demo labels: 59 -> 26 ms, the same 38 read); rotations stay, labels are shot sideways.
        found = zxingcpp.read_barcodes(img.convert("L"), formats=FORMATS, try_invert=False)
    return list(dict.fromkeys(code.text for code in found if code.text))


def read_json(image_bytes):
    """read() as the JSON the photos table keeps ('[]': read, nothing found). A decoder
    failure leaves None (not read), so the photo itself is never refused for its label."""
    try:
        return json.dumps(read(image_bytes))
    except Exception:
        log.exception("label codes could not be read")
        return None


def codes(photo):
    """The codes stored with a photo row: a list, or None when the photo was never read."""
    text = photo.get("label_codes")
    return None if text is None else json.loads(text)
