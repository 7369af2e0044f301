"""Read a .sor file (Telcordia SR-4731 v2) into the plain summary every check works on.

A thin adapter over otdrparser (BSD-2, takes bytes): its block parsing, our guards and our
shape. Before otdrparser sees a byte, the file's size, its Map and the counts the DataPts and
KeyEvents blocks declare are checked against caps and against the bytes really there, so a
huge declared count or a cut file is refused with a reason instead of a crash or a long
allocation. What otdrparser does not do is done here: version 1 files are named as such, the
checksum (CRC-16/CCITT over every byte before it) is verified (a mismatch is a warning: many
real files have one), a file without KeyEvents is read with no events.

parse() returns the keys the phone's reader (static/js/sor.js) returns too: wavelength_nm,
pulse_width_ns, range_m, ior, averages, averaging_s, acquired_at, length_m, total_loss_db,
events, checksum_ok; and, server-only, backscatter_db, points (downsampled) and points_sha256.
"""

import array
import binascii
import hashlib
import io
import struct
import sys
from datetime import UTC
from datetime import datetime

import otdrparser

from fieldapp import clock

MAX_BYTES = 8 * 1024 * 1024  # TRACE_MAX_BYTES in the config; real traces are 20 KB-1 MB
MAX_BLOCKS = 64
MAX_POINTS = 1_000_000
MAX_EVENTS = 1000
DATAPTS_HEAD = 20  # "DataPts\0", points u32, traces u16, points again u32, scale u16
EVENT_MIN_BYTES = 43  # fixed fields of one key event plus its comment's terminating zero
DRAWN_POINTS = 600  # points kept for drawing
NOT_MEASURED = -2147483.647  # a reflectance at or below this was not measured
C_M_PER_US = otdrparser.C_M


class Unreadable(ValueError):
    """A file that is not a .sor this server can read; `reason` says why, for a person."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def parse(data, max_bytes=MAX_BYTES):
    """The summary of one .sor file's bytes; raises Unreadable(reason)."""
    blocks = _layout(data, max_bytes)
    if "DataPts" not in blocks:
        raise Unreadable("the file has no DataPts block")
    try:
        parsed = otdrparser.parse2(io.BytesIO(_without_points(data, blocks["DataPts"])))
    except (otdrparser.OTDRParserError, ValueError, IndexError, KeyError, struct.error) as failed:
        raise Unreadable(f"not a readable SR-4731 file: {failed}") from None
    return _summary(parsed, blocks, data)


def _without_points(data, block):
    """The file with its DataPts block declaring no points, for otdrparser.

    otdrparser reads data points one by one through a file object (~2 us each: 0.1 s for a
    100 KB trace, most of the whole parse); the few hundred we draw are read here instead
    (_points), straight from the bytes. Everything else is otdrparser's.
    """
    offset, size, size_at = block
    head = data[offset: offset + DATAPTS_HEAD]
    empty = head[:8] + struct.pack("<IHI", 0, 1, 0) + head[18:20]
    return (data[:size_at] + struct.pack("<I", len(empty)) + data[size_at + 4: offset] + empty
            + data[offset + size:])


def _points(data, block, fxd, keep=DRAWN_POINTS):
    """At most `keep` (distance m, dB) data points, evenly spaced, as otdrparser computes them."""
    offset, _, _ = block
    count, traces, count2, scale = struct.unpack_from("<IHIH", data, offset + len(b"DataPts\x00"))
    if traces != 1:
        raise Unreadable(f"the file holds {traces} traces; one trace a file is read")
    if count != count2 or scale <= 0:
        raise Unreadable("the DataPts block's counts or scale are inconsistent")
    values = array.array("H")
    values.frombytes(data[offset + DATAPTS_HEAD: offset + DATAPTS_HEAD + 2 * count])
    if sys.byteorder == "big":
        values.byteswap()
    metres = fxd["sample_spacing"] / 100000000 * C_M_PER_US / fxd["index_of_refraction"]
    step = max(1, -(-count // keep))
    return [(round(n * metres, 1), round(values[n] * -scale / 1000000, 3)) for n in range(0, count, step)]


def _layout(data, max_bytes):
    """{block name: (offset, size)} from the Map, after every cap; raises Unreadable."""
    if len(data) > max_bytes:
        raise Unreadable(f"file is {len(data)} bytes; a trace may have at most {max_bytes}")
    if len(data) < 16:
        raise Unreadable("file is too short to be an OTDR trace")
    if not data.startswith(b"Map\x00"):
        version = struct.unpack_from("<H", data)[0]
        if 100 <= version < 200:
            raise Unreadable("SR-4731 version 1 file: export it from the OTDR as version 2")
        raise Unreadable("not an OTDR trace (.sor): it does not start with a Map block")
    version, map_size, count = struct.unpack_from("<HIH", data, 4)
    if not 200 <= version < 300:
        raise Unreadable(f"SR-4731 version {version / 100}: only version 2 is read")
    if not 1 <= count <= MAX_BLOCKS:
        raise Unreadable(f"the Map declares {count} blocks (at most {MAX_BLOCKS})")
    return _blocks(data, map_size, count)


def _blocks(data, map_size, count):
    at, offset, found = 12, map_size, {}
    for _ in range(count - 1):
        end = data.find(b"\x00", at, at + 64)
        if end < 0 or end + 7 > len(data):
            raise Unreadable("the Map block is damaged")
        name = data[at:end].decode("latin-1")
        size = struct.unpack_from("<I", data, end + 3)[0]
        if offset + size > len(data):
            raise Unreadable(f"file is cut short: block {name} needs {offset + size} bytes, "
                             f"the file has {len(data)}")
        found.setdefault(name, (offset, size, end + 3))
        at, offset = end + 7, offset + size
    _check_counts(data, found)
    return found


def _check_counts(data, blocks):
    """Declared point and event counts that fit the block holding them and the caps."""
    if "DataPts" in blocks:
        offset, size, _ = blocks["DataPts"]
        points = _unsigned(data, offset + len(b"DataPts\x00"), "<I", offset + size)
        if size < DATAPTS_HEAD or points > MAX_POINTS or DATAPTS_HEAD + 2 * points > size:
            raise Unreadable(f"DataPts declares {points} points in a block of {size} bytes")
    if "KeyEvents" in blocks:
        offset, size, _ = blocks["KeyEvents"]
        events = _unsigned(data, offset + len(b"KeyEvents\x00"), "<H", offset + size)
        if events > MAX_EVENTS or events * EVENT_MIN_BYTES > size:
            raise Unreadable(f"KeyEvents declares {events} events in a block of {size} bytes")


def _unsigned(data, at, fmt, limit):
    if at + struct.calcsize(fmt) > limit:
        raise Unreadable("a block is too short for its own header")
    return struct.unpack_from(fmt, data, at)[0]


def checksum_ok(data, blocks):
    """CRC-16/CCITT-FALSE of every byte before the Cksum block's value equals that value."""
    if "Cksum" not in blocks:
        return False
    offset, size, _ = blocks["Cksum"]
    end = offset + size
    if size < len(b"Cksum\x00") + 2:
        return False
    stored = struct.unpack_from("<H", data, end - 2)[0]
    return binascii.crc_hqx(data[: end - 2], 0xFFFF) == stored


def _summary(parsed, blocks, data):
    fxd = parsed["FxdParams"]
    events = parsed.get("KeyEvents")
    found = {
        "wavelength_nm": round(fxd["wavelength"]),
        "pulse_width_ns": fxd["pulse_width"],
        "range_m": round(fxd["range"] * 1000, 2),
        "ior": round(fxd["index_of_refraction"], 5),
        "backscatter_db": round(fxd["backscattering_coefficient"], 1),
        "averages": fxd["number_of_averages"] or None,
        "averaging_s": round(fxd["averaging_time"], 1) or None,
        "acquired_at": _acquired_at(fxd["date_time"]),
        "length_m": None,
        "total_loss_db": None,
        "events": [],
        "checksum_ok": checksum_ok(data, blocks),
    }
    if events is not None:
        found["events"] = [_event(e) for e in events["events"]]
        found["total_loss_db"] = round(events["total_loss"], 3)
        found["length_m"] = _length(found["events"])
    found["points"] = _points(data, blocks["DataPts"], fxd)
    found["points_sha256"] = _points_sha256(data, blocks["DataPts"])
    return found


def _acquired_at(stamp):
    return clock.to_iso(datetime.fromtimestamp(stamp, UTC)) if stamp else None


def _event(event):
    """One key event: distance along this trace, loss, reflectance (None: not measured), type."""
    code = event["event_type"]
    if code[1:2] in ("E", "D"):
        kind = "end"
    elif code[:1] in ("1", "2"):
        kind = "reflective"
    else:
        kind = "non-reflective"
    reflectance = event["reflection_loss"]
    return {
        "index": event["event_number"],
        "distance_m": round(event["distance_of_travel"], 2),
        "splice_loss_db": round(event["splice_loss"], 3),
        "reflectance_db": None if reflectance <= NOT_MEASURED else round(reflectance, 3),
        "type": kind,
    }


def _length(events):
    """The end-of-fiber event's distance, else the last event's; None with no events."""
    ends = [e["distance_m"] for e in events if e["type"] == "end"]
    if ends:
        return ends[0]
    return events[-1]["distance_m"] if events else None


def downsample(points, keep=DRAWN_POINTS):
    """At most `keep` (distance m, dB) points, evenly spaced: enough to draw, small to store."""
    step = max(1, -(-len(points) // keep))
    return [(round(d, 1), round(db, 3)) for d, db in points[::step]]


def _points_sha256(data, block):
    """sha256 of the raw data point values: the same trace under another file name or header."""
    offset, size, _ = block
    return hashlib.sha256(data[offset + DATAPTS_HEAD: offset + size]).hexdigest()
