"""JSON as RFC 8259 has it, in and out: no NaN, no Infinity.

Python's json reads and writes NaN and Infinity, JavaScript's JSON.parse refuses them: one
stored NaN once made every later pull of a technician unreadable on the phone. So requests
holding them are refused as bad JSON, and an answer never carries one (a non-finite number
that reached the store before this rule is sent as null).
"""

import json
import math

from flask.json.provider import DefaultJSONProvider


def _refuse(constant):
    raise ValueError(f"{constant} is not a JSON number")


def loads(text):
    """Parse strict JSON; ValueError for NaN, Infinity or malformed text."""
    return json.loads(text, parse_constant=_refuse)


def finite(value):
    """The same value with every non-finite float replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON with strict parsing and strict output."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_constant", _refuse)
        return super().loads(s, **kwargs)

    def dumps(self, obj, **kwargs):
        kwargs.setdefault("allow_nan", False)
        try:
            return super().dumps(obj, **kwargs)
        except ValueError:
            return super().dumps(finite(obj), **kwargs)
