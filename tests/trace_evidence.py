"""OTDR traces for the tests, written by fieldapp.sor_writer and sent through the real upload.

A fiber here is the A end of review_evidence.splice(slot=n): closure MUF-1, cable C1, tube 1,
fiber n; 12 km with 500 m launch and receive fibers, this closure's splice at 3 km and
another at 7 km.
"""

import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from fieldapp import sor_writer as w
from fieldapp import uploads

LENGTH = 12000.0
SPLICE_M = 3000.0
# (A->B, B->A) event loss at the closure's splice, per wavelength: the averages 0.06 and 0.05
# agree with review_evidence.splice()'s typed losses (0.05, 0.07, 0.04, 0.06).
LOSSES = {1310: (0.05, 0.07), 1550: (0.04, 0.06)}


def acquired(days_ago=1, minutes=0):
    moment = datetime.now(UTC) - timedelta(days=days_ago) + timedelta(minutes=minutes)
    return moment.replace(microsecond=0)


def fiber_pair(fiber=1, wavelength=1310, losses=None, seed=None, **settings):
    """(A->B, B->A) Traces of one fiber at one wavelength, the splice's loss per direction."""
    ab_loss, ba_loss = losses or LOSSES[wavelength]
    events = w.link_events(LENGTH, [(SPLICE_M, ab_loss), (7000.0, 0.03)])
    settings.setdefault("acquired_at", acquired(minutes=fiber * 10))
    return w.pair(LENGTH, events, gain={SPLICE_M: round(ba_loss - ab_loss, 3)}, wavelength_nm=wavelength,
                  seed=seed or fiber * 10 + wavelength, **settings)


def store(ev, tech, installation_id, data, fiber=1, direction="ab", event_m=None, replaces=None,
          filename=None):
    """One .sor file through announce, chunk and complete, as the phone's outbox sends it."""
    meta = {"id": str(uuid.uuid4()), "installation_id": installation_id, "closure_label": "MUF-1",
            "cable": "C1", "tube": 1, "fiber": fiber, "direction": direction, "event_m": event_m,
            "filename": filename or f"f{fiber}-{direction}.sor", "replaces": replaces}
    return uploads.store_bytes(ev.db, ev.blobs, tech, "trace", meta, data)


def store_pair(ev, tech, installation_id, fiber=1, wavelength=1310, mark=SPLICE_M, **settings):
    """Both directions of one fiber at one wavelength; the splice marked on the A->B trace."""
    ab, ba = fiber_pair(fiber, wavelength, **settings)
    return (store(ev, tech, installation_id, w.write(ab), fiber, "ab", mark),
            store(ev, tech, installation_id, w.write(ba), fiber, "ba", None))


def store_fiber(ev, tech, installation_id, fiber=1, **settings):
    """A fiber traced from both ends at 1310 and 1550 nm: what the contract asks."""
    return [t for wl in (1310, 1550) for t in store_pair(ev, tech, installation_id, fiber, wl, **settings)]
