"""Integer ids from URLs, query strings and forms, kept within SQLite's INTEGER.

A Python int is unbounded, SQLite's is 64-bit: binding 2**63 raises OverflowError, which was
a 500 on every page that took an id. Ids are checked once, where text becomes a number: the
`<id:...>` URL converter (anything wider is no route, so a 404) and `int64` for query
arguments (`type=`) and form fields (`coerce=`). No flask here; `init_app` only registers.
"""

from werkzeug.routing import IntegerConverter
from wtforms.validators import NumberRange

from fieldapp import store

# For IntegerField and SelectField(coerce=int64) in forms that validate: an id too wide is invalid.
ID_RANGE = NumberRange(0, store.INT64[1])


class IdConverter(IntegerConverter):
    """`<id:name>`: a non-negative integer SQLite can bind; 2**63 or -1 match no route (404)."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **{"max": store.INT64[1], **kwargs})


def int64(text):
    """An int SQLite can bind, else ValueError: `type=` for request.args.get, `coerce=` for WTForms."""
    number = int(text)
    if not store.is_int64(number):
        raise ValueError("outside SQLite's INTEGER")
    return number


def optional_id(text):
    """A filter's id, or None when it is empty, no number, or wider than SQLite (ignored, not a 500)."""
    try:
        return int64(text) if text not in (None, "") else None
    except (TypeError, ValueError):
        return None


def init_app(app):
    """Register `<id:...>` before any blueprint adds a route that uses it."""
    app.url_map.converters["id"] = IdConverter
