"""A small Telcordia SR-4731 version 2 (.sor) writer of our own: test traces and demo data.

There are no real .sor files we may ship, so tests, the demo and the benches make theirs here:
a trace with known events at a chosen wavelength, pulse width, index, averaging, date and data
points, A->B / B->A pairs of one fiber, and the broken files a crew's phone may send.

API (everything returns bytes unless said otherwise):

    Event(distance_m, loss_db, reflectance_db=None, kind="splice")
        kind: "splice" (non-reflective), "connector" (reflective) or "end" (end of fiber).
        reflectance_db None is written as "not measured" (-2147483.647 dB).
    Trace(...)                       every setting as a field, see the dataclass below;
                                     Trace.events are distances along THIS trace.
    write(trace, checksum=True)      the file; checksum=False writes a wrong checksum.
    pair(length_m, events, **settings) -> (ab_trace, ba_trace)
        `events` are A->B distances of the fiber's inner events (splices, connectors);
        the B->A trace has each at length - d, in reverse order, both end at length_m.
    link_events(length_m, splices, launch_m=500, connectors_db=0.3, reflectance_db=-55)
        the usual acceptance layout: a connector at the end of the launch fiber, the
        splices (list of (distance_m, loss_db)), a connector at the start of the receive fiber.
    Broken variants, from a good file's bytes or a Trace:
        truncated(data, keep=0.6)          cut after a fraction of its bytes
        wrong_magic(data)                  the Map block renamed: not a SOR file
        without_key_events(trace)          no KeyEvents block (kept by the server)
        bad_checksum(trace)                 = write(trace, checksum=False)
        absurd_counts(data, points=...)    DataPts declares ~4 billion points
        absurd_events(data)                KeyEvents declares 65535 events
        version1(trace)                    an SR-4731 version 1 layout (no block names)

Units follow what otdrparser reads (its formulas, not its code): event times in 0.1 ns of
one-way travel, sample spacing in 1e-8 us, loss in 0.001 dB, IOR x 100000, range in 2e-5 km.
"""

import binascii
import random
import struct
from dataclasses import dataclass
from dataclasses import replace
from datetime import UTC
from datetime import datetime

C_M_PER_US = 299.792458  # speed of light in metres per microsecond
NOT_MEASURED = -2147483647  # reflectance "not measured": -2147483.647 dB once scaled
EVENT_CODES = {"splice": "0F", "connector": "1F", "end": "1E"}


@dataclass(frozen=True)
class Event:
    """One key event along the trace."""

    distance_m: float
    loss_db: float
    reflectance_db: float | None = None
    kind: str = "splice"


@dataclass(frozen=True)
class Trace:
    """What one acquisition holds; `events` must end with the end-of-fiber event."""

    events: tuple
    wavelength_nm: int = 1310
    pulse_width_ns: int = 30
    ior: float = 1.4677
    averages: int = 10000
    averaging_s: float = 30.0
    acquired_at: datetime = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
    range_m: float = 20000.0
    spacing_m: float = 2.0
    attenuation_db_km: float | None = None  # the slope of the data points; by wavelength if None
    backscatter_db: float = -81.0
    cable_id: str = "CAB-1"
    fiber_id: str = "1"
    seed: int = 1  # the data points' noise: another seed, other points
    comment: str = ""

    @property
    def length_m(self):
        return self.events[-1].distance_m


def _cstr(text):
    return text.encode("latin-1") + b"\x00"


def _time_01ns(distance_m, ior):
    """One-way travel time to `distance_m` in units of 0.1 ns."""
    return round(distance_m * ior / C_M_PER_US * 10000)


def _spacing_units(spacing_m, ior):
    return round(spacing_m * ior / C_M_PER_US * 1e8)


def _attenuation(trace):
    if trace.attenuation_db_km is not None:
        return trace.attenuation_db_km
    return 0.33 if trace.wavelength_nm < 1400 else 0.19


def _points(trace):
    """Backscatter falling at the fiber's attenuation, stepping down at each event's loss."""
    rng = random.Random(trace.seed)
    count = int(trace.length_m / trace.spacing_m) + 200  # some noise past the end
    slope, level, out = _attenuation(trace) / 1000, 3.0, []
    events, index = sorted(trace.events, key=lambda e: e.distance_m), 0
    for n in range(count):
        d = n * trace.spacing_m
        while index < len(events) and events[index].distance_m <= d:
            level += max(events[index].loss_db, 0) if events[index].kind != "end" else 25.0
            index += 1
        value = level + d * slope + rng.uniform(-0.02, 0.02)
        out.append(max(0, min(65535, round(value * 1000))))
    return out


def _block(name, body):
    return _cstr(name) + body


def _gen_params(trace):
    body = (b"EN" + _cstr(trace.cable_id) + _cstr(trace.fiber_id)
            + struct.pack("<hH", 652, trace.wavelength_nm)
            + _cstr("A") + _cstr("B") + _cstr("G652D") + b"BC" + struct.pack("<ii", 0, 0)
            + _cstr("fieldapp") + _cstr(trace.comment))
    return _block("GenParams", body)


def _sup_params(trace):
    names = ("fieldapp", "SORWRITER", "0001", "MOD", "0001", "1.0", "test trace")
    return _block("SupParams", b"".join(_cstr(n) for n in names))


def _fxd_params(trace, points):
    stamp = int(trace.acquired_at.timestamp())
    body = (struct.pack("<I", stamp) + b"mt" + struct.pack("<H", round(trace.wavelength_nm * 10))
            + struct.pack("<iiH", 0, 0, 1)
            + struct.pack("<HII", trace.pulse_width_ns, _spacing_units(trace.spacing_m, trace.ior), points)
            + struct.pack("<IH", round(trace.ior * 100000), round(-trace.backscatter_db * 10))
            + struct.pack("<IH", trace.averages, round(trace.averaging_s * 10))
            + struct.pack("<I", round(trace.range_m / 1000 / 2e-5))
            + struct.pack("<ii", 0, 0)
            + struct.pack("<HhH", 0, 0, 0)
            + struct.pack("<HHH", 10, 60, 3000)
            + b"ST" + struct.pack("<iiii", 0, 0, 0, 0))
    return _block("FxdParams", body)


def _event_bytes(number, event, ior):
    reflectance = NOT_MEASURED if event.reflectance_db is None else round(event.reflectance_db * 1000)
    code = EVENT_CODES[event.kind] + "9999LS"
    return (struct.pack("<HIhhi", number, _time_01ns(event.distance_m, ior), 0, round(event.loss_db * 1000),
                        reflectance)
            + code.encode("ascii") + struct.pack("<iiiii", 0, 0, 0, 0, 0) + _cstr(""))


def _key_events(trace):
    events = b"".join(_event_bytes(n + 1, e, trace.ior) for n, e in enumerate(trace.events))
    total = (sum(e.loss_db for e in trace.events if e.kind != "end")
             + _attenuation(trace) * trace.length_m / 1000)
    end = _time_01ns(trace.length_m, trace.ior)
    tail = struct.pack("<iiiHii", round(total * 1000), 0, end, 32000, 0, end)
    return _block("KeyEvents", struct.pack("<H", len(trace.events)) + events + tail)


def _data_pts(points):
    count = len(points)
    body = struct.pack("<IHIH", count, 1, count, 1000) + struct.pack(f"<{len(points)}H", *points)
    return _block("DataPts", body)


def _assemble(blocks, checksum=True):
    """Map + blocks + Cksum; the checksum is CRC-16/CCITT-FALSE over every byte before it."""
    names = [name for name, _ in blocks] + ["Cksum"]
    sizes = [len(body) for _, body in blocks] + [len(b"Cksum\x00") + 2]
    entries = b"".join(_cstr(n) + struct.pack("<HI", 200, s) for n, s in zip(names, sizes, strict=True))
    map_size = len(b"Map\x00") + 8 + len(entries)
    head = _cstr("Map") + struct.pack("<HIH", 200, map_size, len(names) + 1) + entries
    data = head + b"".join(body for _, body in blocks) + b"Cksum\x00"
    crc = binascii.crc_hqx(data, 0xFFFF)
    return data + struct.pack("<H", crc if checksum else crc ^ 0x5A5A)


def _blocks(trace, key_events=True):
    points = _points(trace)
    found = [("GenParams", _gen_params(trace)), ("SupParams", _sup_params(trace)),
             ("FxdParams", _fxd_params(trace, len(points)))]
    if key_events:
        found.append(("KeyEvents", _key_events(trace)))
    return found + [("DataPts", _data_pts(points))]


def write(trace, checksum=True):
    """The .sor bytes of one trace."""
    return _assemble(_blocks(trace), checksum)


def link_events(length_m, splices, launch_m=500.0, connectors_db=0.3, reflectance_db=-55.0):
    """Inner events of a link with launch and receive fibers of `launch_m` each (A->B view)."""
    inner = [Event(launch_m, connectors_db, reflectance_db, "connector")]
    inner += [Event(d, loss) for d, loss in splices]
    inner.append(Event(length_m - launch_m, connectors_db, reflectance_db, "connector"))
    return inner


def pair(length_m, events, gain=None, **settings):
    """(A->B, B->A) traces of one fiber: the same events, seen from both ends.

    `gain` maps an event's A->B distance to the difference (B->A loss - A->B loss) a splice
    shows between directions (a "gainer" one way); by default both read the same.
    """
    gain = gain or {}
    end = Event(length_m, 0.0, -14.0, "end")
    ab = tuple(sorted(events, key=lambda e: e.distance_m)) + (end,)
    ba = tuple(replace(e, distance_m=round(length_m - e.distance_m, 3),
                       loss_db=round(e.loss_db + gain.get(e.distance_m, 0.0), 3))
               for e in reversed(ab[:-1])) + (end,)
    seed = settings.pop("seed", 1)
    return (Trace(ab, seed=seed, **settings), Trace(ba, seed=seed + 1000, **settings))


def truncated(data, keep=0.6):
    return data[: int(len(data) * keep)]


def wrong_magic(data):
    return b"Pam" + data[3:]


def without_key_events(trace):
    return _assemble(_blocks(trace, key_events=False))


def bad_checksum(trace):
    return write(trace, checksum=False)


def absurd_counts(data, points=0xFFFFFFF0):
    """The DataPts block declaring `points` points (both of its counts), nothing else changed."""
    at = data.rindex(b"DataPts\x00") + len(b"DataPts\x00")
    return data[:at] + struct.pack("<IHI", points, 1, points) + data[at + 10:]


def absurd_events(data):
    at = data.rindex(b"KeyEvents\x00") + len(b"KeyEvents\x00")
    return data[:at] + struct.pack("<H", 0xFFFF) + data[at + 2:]


def version1(trace):
    """SR-4731 version 1: the Map starts with its version number, blocks carry no name."""
    blocks = [(name, body[len(name) + 1:]) for name, body in _blocks(trace)]
    entries = b"".join(_cstr(n) + struct.pack("<HI", 100, len(b)) for n, b in blocks)
    head = struct.pack("<HIH", 100, 8 + len(entries), len(blocks) + 1) + entries
    return head + b"".join(body for _, body in blocks)
