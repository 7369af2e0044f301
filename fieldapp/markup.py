"""A reviewer's markup on a returned photo: a small vector overlay, never a change to the photo.

Shapes are drawn over the display version in coordinates from 0 to 1 of its width and height,
so the same overlay fits the thumbnail, the 1600 px version and a phone screen. The server
keeps only what it has checked: a bounded number of known shapes with finite coordinates in
range and short labels, as canonical JSON beside the returned item.
"""

import json
import math

from fieldapp.evidence import fields

SHAPES = ("arrow", "circle", "rect", "label")
MAX_SHAPES = 20
MAX_TEXT = 60
MAX_JSON = 8000  # a form field this long is no overlay a person drew


class BadMarkup(ValueError):
    """Markup the server will not store (the return form says so and keeps the rest)."""


def parse(text):
    """The checked overlay (a list of shapes) from the form's JSON, or None when blank."""
    if text is None or not text.strip():
        return None
    if len(text) > MAX_JSON:
        raise BadMarkup("too_long")
    try:
        shapes = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise BadMarkup("not_json") from None
    if not isinstance(shapes, list) or len(shapes) > MAX_SHAPES:
        raise BadMarkup("too_many")
    checked = [_shape(shape) for shape in shapes]
    return checked or None


def dumps(shapes):
    """The overlay as stored (canonical JSON), or None for no markup."""
    return fields.canonical(shapes) if shapes else None


def loads(stored):
    """A stored overlay back as a list (empty when there is none)."""
    return json.loads(stored) if stored else []


def _refuse_constant(name):
    raise ValueError(name)  # NaN and Infinity are not coordinates


def _shape(shape):
    if not isinstance(shape, dict) or shape.get("type") not in SHAPES:
        raise BadMarkup("bad_shape")
    found = {"type": shape["type"]}
    for name in ("x1", "y1", "x2", "y2"):
        found[name] = _coordinate(shape.get(name))
    if shape["type"] == "label":
        text = shape.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            raise BadMarkup("bad_text")
        if not fields.is_unicode(text):
            raise BadMarkup("bad_text")
        found["text"] = text.strip()
    return found


def _coordinate(value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadMarkup("bad_number")
    if not 0 <= value <= 1:
        raise BadMarkup("out_of_range")
    return round(float(value), 4)
