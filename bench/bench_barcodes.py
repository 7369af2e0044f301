"""What reading an equipment label costs when its photo is stored.

For N demo label photos (800x600, grain and uneven light, a QR code of the serial): the time
of imaging.process() (what every photo costs: decode, display, thumbnail, hash, measures) and
of barcodes.read() on the display version (what a label photo costs on top), their ratio, and
how many labels were read. Run:
    .venv/bin/python bench/bench_barcodes.py [N]
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from fieldapp import demo_photos  # noqa: E402
from fieldapp.evidence import barcodes  # noqa: E402
from fieldapp.evidence import imaging  # noqa: E402


def main(count):
    process, read, found = [], [], 0
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "label.jpg")
        for n in range(count):
            serial = f"ZTEG{n:08X}"
            with open(path, "wb") as out:
                out.write(demo_photos.picture(n, "equipment_label", serial, datetime.now(UTC), (42.9, 71.4)))
            start = time.perf_counter()
            image = imaging.process(path)
            process.append(time.perf_counter() - start)
            start = time.perf_counter()
            codes = barcodes.read(image["display"])
            read.append(time.perf_counter() - start)
            found += codes == [f"SN:{serial}"]
    p, r = statistics.median(process), statistics.median(read)
    print(f"{count} label photos: process {p * 1000:.1f} ms, read {r * 1000:.1f} ms (median), "
          f"read/process {r / p:.2f}, labels read {found}/{count}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
