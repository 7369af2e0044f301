"""Where a user-given URL (`next`, a Referer) may send the browser: only a path on this site.

Browsers are lenient in ways a prefix check is not: they drop tabs and newlines anywhere in a
URL ("/\\t/evil.example" becomes "//evil.example", another host), read a backslash as a slash
("/\\evil.example"), and a CR or LF in a Location header makes Werkzeug refuse the response
(a 500). One function decides, so every redirect to a user-given URL is judged alike.
"""

import unicodedata
from urllib.parse import urlsplit

MAX_LENGTH = 2000


def local_target(value, host_url=None):
    """`value` as a path on this site, or None when following it could lead anywhere else.

    `host_url` ("https://fieldapp.kz/") lets an absolute URL of this very site through as its
    path (a Referer is absolute). Control, format and whitespace characters and backslashes are
    refused rather than stripped: a browser may strip or reinterpret them differently than we do.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return None
    if host_url and value.startswith(host_url) and host_url.endswith("/"):
        value = "/" + value[len(host_url) :]
    if any(ch == "\\" or ch.isspace() or unicodedata.category(ch).startswith("C") for ch in value):
        return None
    if not value.startswith("/") or value.startswith("//"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value
