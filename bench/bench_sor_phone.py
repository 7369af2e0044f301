"""Benchmark: the phone's .sor reader (static/js/sor.js) on a 100 KB trace, in Chromium (issue 12).

What a technician waits for after picking a file: readSor (Map, GenParams, FxdParams, KeyEvents
and the CRC-16 over every byte), timed with performance.now() in headless Chromium, against
baselines measured in the same page and run: Blob.arrayBuffer() of the same bytes (what the
phone does first, to get them), JSON.parse of a JSON text of the same size, and the sha256 the
phone keeps of the file. Chromium on this 2-core machine is a fast phone's CPU at best: take
the ratios, not the milliseconds, to a slower phone.

Run: .venv/bin/python bench/bench_sor_phone.py   (about 10 s; prints figures, asserts nothing)
"""

import base64
import json
import os
import sys

from playwright.sync_api import sync_playwright

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from browser_helpers import CHROMIUM  # noqa: E402
from browser_helpers import CHROMIUM_ARGS  # noqa: E402

from fieldapp import sor_writer as w  # noqa: E402

ORIGIN = "http://127.0.0.1:9"  # a secure context (for sha256), answered by the router: no server
TARGET_BYTES = 100 * 1024
ROUNDS = 7
READS = 200

MEASURE = """async ([b64, reads, rounds]) => {
  const { readSor } = await import("/static/js/sor.js");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  // "[0,1,2,...]": 2 bytes a digit, as many bytes as the trace.
  const json = JSON.stringify(Array.from({ length: Math.floor(bytes.length / 2) }, (_, i) => i % 10));
  const blob = new Blob([bytes]);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  async function time(run, n) {
    const per = [];
    for (let r = 0; r < rounds; r += 1) {
      const start = performance.now();
      for (let i = 0; i < n; i += 1) await run();
      per.push((performance.now() - start) / n);
    }
    return median(per);
  }
  const cold = performance.now();
  readSor(bytes.buffer);  // the first read, as a technician's first file meets it: not compiled yet
  const first_read_ms = performance.now() - cold;
  for (let i = 0; i < 20; i += 1) readSor(bytes.buffer);  // let the JIT warm up
  const reading = readSor(bytes.buffer);
  return {
    bytes: bytes.length, events: reading.events.length, checksum_ok: reading.checksum_ok, first_read_ms,
    read_sor_ms: await time(() => readSor(bytes.buffer), reads),
    array_buffer_ms: await time(() => blob.arrayBuffer(), reads),
    json_parse_ms: await time(() => JSON.parse(json), reads),
    json_bytes: json.length,
    sha256_ms: await time(() => crypto.subtle.digest("SHA-256", bytes), reads),
  };
}"""


def trace_of_about(size):
    """A 1550 nm trace of a rural span with a dozen splices, spaced to weigh about `size` bytes."""
    length = 25000.0
    splices = [(1500.0 + 1800.0 * i, 0.02 + 0.01 * (i % 5)) for i in range(12)]
    events = w.link_events(length, splices)
    for spacing in (0.5 * 0.98**k for k in range(200)):
        ab, _ = w.pair(length, events, wavelength_nm=1550, spacing_m=spacing)
        data = w.write(ab)
        if len(data) >= size:
            return data
    return data


def serve(route):
    path = route.request.url.removeprefix(ORIGIN).split("?")[0]
    if path.startswith("/static/") and path.endswith(".js"):
        with open(os.path.join(ROOT, path.lstrip("/")), "rb") as f:
            route.fulfill(body=f.read(), content_type="text/javascript")
    else:
        route.fulfill(body="<!doctype html><title>bench</title>", content_type="text/html")


def main():
    data = trace_of_about(TARGET_BYTES)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.route(f"{ORIGIN}/**", serve)
        page.goto(f"{ORIGIN}/")
        found = page.evaluate(MEASURE, [base64.b64encode(data).decode(), READS, ROUNDS])
        browser.close()
    print(json.dumps(found, indent=2))
    print(f"readSor of a {found['bytes'] / 1024:.0f} KB trace ({found['events']} events): "
          f"{found['read_sor_ms']:.3f} ms (median of {ROUNDS} rounds of {READS} reads); "
          f"the first, cold read: {found['first_read_ms']:.1f} ms")
    for name, key in (("Blob.arrayBuffer() of the same bytes", "array_buffer_ms"),
                      (f"JSON.parse of {found['json_bytes'] / 1024:.0f} KB of JSON", "json_parse_ms"),
                      ("sha256 of the same bytes", "sha256_ms")):
        print(f"  vs {name}: {found[key]:.3f} ms -> ratio readSor / baseline = "
              f"{found['read_sor_ms'] / found[key]:.2f}")


if __name__ == "__main__":
    main()
