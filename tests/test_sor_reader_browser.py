"""The phone's .sor reader (static/js/sor.js, in Chromium) against the server's parse (fieldapp/otdr.py).

The technician sees the phone's reading at the site; the checks use the server's. On every file
the writer makes they must agree field by field, and a file one side refuses the other refuses
for the same reason. The phone does not read data points, so `points` are the server's alone.
"""

import base64
import struct
from datetime import UTC
from datetime import datetime

import pytest

from fieldapp import otdr
from fieldapp import sor_writer as w

# The phone's SorError.reason -> words of the server's Unreadable reason for the same fault.
REASONS = {
    "not_sor": ("not an OTDR trace", "too short to be"),
    "v1": ("version 1",),
    "truncated": ("cut short", "too short for its own header"),
    "absurd": ("declares", "one trace a file is read", "inconsistent"),
    "no_points": ("no DataPts block",),
    "too_large": ("a trace may have at most",),
}
SERVER_ONLY = {"points", "points_sha256"}


def good_files():
    """Traces over the settings a crew meets: both wavelengths and directions, other pulses,
    indices, averaging, a measured reflectance, a gainer, a long fiber, events only at the end."""
    events = w.link_events(12000, [(3000, 0.05), (7000, 0.12), (9100, -0.04)])
    files = {}
    for wave in (1310, 1550):
        ab, ba = w.pair(12000, events, wavelength_nm=wave, gain={7000: 0.06})
        files[f"{wave}-ab"], files[f"{wave}-ba"] = w.write(ab), w.write(ba)
    odd, _ = w.pair(48000.5, [w.Event(20000.25, 0.2, -45.5, "connector"), w.Event(31000, 0.011)],
                    wavelength_nm=1625, pulse_width_ns=1000, ior=1.4682, averages=0, averaging_s=180.0,
                    range_m=80000, acquired_at=datetime(2025, 2, 28, 23, 59, 59, tzinfo=UTC))
    files["long-1625"] = w.write(odd)
    bare, _ = w.pair(900, [], wavelength_nm=1310, pulse_width_ns=5, ior=1.4670, averages=3000)
    files["end-only"] = w.write(bare)
    files["bad-checksum"] = w.bad_checksum(ab)
    files["no-key-events"] = w.without_key_events(ab)
    return files


def broken_files():
    ab, _ = w.pair(12000, w.link_events(12000, [(3000, 0.05)]))
    good = w.write(ab)
    return {
        "truncated": w.truncated(good), "truncated-in-map": good[:40], "wrong-magic": w.wrong_magic(good),
        "version-1": w.version1(ab), "absurd-points": w.absurd_counts(good),
        "absurd-events": w.absurd_events(good),
        "empty": b"", "text": b"hello, this is not a trace at all\n",
        "no-data-points": good.replace(b"DataPts\x00", b"DataPtz\x00"),  # its block under another name
        "two-traces": two_traces(good),
    }


def two_traces(data):
    """The DataPts block saying it holds two traces (the reader and the server read one)."""
    at = data.rindex(b"DataPts\x00") + len(b"DataPts\x00") + 4
    return data[:at] + struct.pack("<H", 2) + data[at + 2:]


def read_in_chromium(page, base_url, files):
    """{name: readSor's result, or {"error": reason}} for every file, in the phone's browser."""
    page.goto(f"{base_url}/login")
    encoded = {name: base64.b64encode(data).decode() for name, data in files.items()}
    return page.evaluate("""async (files) => {
        const { readSor, SorError } = await import("/static/js/sor.js");
        const out = {};
        for (const [name, text] of Object.entries(files)) {
            const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
            try {
                out[name] = readSor(bytes.buffer);
            } catch (error) {
                out[name] = { error: error instanceof SorError ? error.reason : `not a SorError: ${error}` };
            }
        }
        return out;
    }""", encoded)


def assert_same(phone, server, name):
    assert set(phone) == set(server) - SERVER_ONLY, name
    for key, value in server.items():
        if key in SERVER_ONLY:
            continue
        if key == "events":
            assert len(phone[key]) == len(value), name
            for mine, theirs in zip(phone[key], value, strict=True):
                assert mine.keys() == theirs.keys(), name
                for field, expected in theirs.items():
                    assert_close(mine[field], expected, f"{name} event {theirs['index']} {field}")
        else:
            assert_close(phone[key], value, f"{name} {key}")


def assert_close(mine, theirs, where):
    if isinstance(theirs, float) and not isinstance(theirs, bool):
        assert mine == pytest.approx(theirs, abs=0.006), where  # both round to 0.01 m / 0.001 dB
    else:
        assert mine == theirs, where


def test_phone_and_server_read_every_good_file_alike(page, live_server):
    files = good_files()
    phone = read_in_chromium(page, live_server.url, files)
    for name, data in files.items():
        assert "error" not in phone[name], (name, phone[name])
        assert_same(phone[name], otdr.parse(data), name)
    assert phone["bad-checksum"]["checksum_ok"] is False and phone["1310-ab"]["checksum_ok"] is True
    assert phone["no-key-events"]["events"] == [] and phone["no-key-events"]["length_m"] is None
    assert phone["1550-ba"]["events"][1]["splice_loss_db"] == -0.04  # the gainer, as written
    assert phone["long-1625"]["events"][0]["reflectance_db"] == -45.5


def test_a_file_one_side_refuses_the_other_refuses_for_the_same_reason(page, live_server):
    files = broken_files()
    phone = read_in_chromium(page, live_server.url, files)
    for name, data in files.items():
        with pytest.raises(otdr.Unreadable) as refused:
            otdr.parse(data)
        reason = phone[name].get("error")
        assert reason in REASONS, (name, phone[name])
        said = refused.value.reason
        assert any(words in said for words in REASONS[reason]), (name, reason, said)


def test_a_file_too_large_is_refused_before_it_is_read(page, live_server):
    page.goto(f"{live_server.url}/login")
    reason = page.evaluate("""async () => {
        const { readSor, LIMITS } = await import("/static/js/sor.js");
        try { readSor(new ArrayBuffer(LIMITS.fileBytes + 1)); }
        catch (error) { return [error.reason, LIMITS.fileBytes]; }
    }""")
    assert reason == ["too_large", otdr.MAX_BYTES]
