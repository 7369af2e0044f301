"""Time as the app stores it: ISO-8601 UTC strings that sort as text."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone

# Kazakhstan keeps one zone since 1 March 2024: UTC+5. Pages show it; data and exports keep UTC.
KAZAKHSTAN = timezone(timedelta(hours=5), "UTC+5")


def now():
    """The current UTC time, e.g. 2026-11-24T15:33:03.120Z."""
    return to_iso(datetime.now(UTC))


def to_iso(moment):
    """Format an aware datetime as the app's canonical UTC string."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse(text):
    """Parse an ISO-8601 string (with Z or an offset) into an aware datetime, or None."""
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def shown(text, zone=KAZAKHSTAN):
    """A stored ISO time as a person in Kazakhstan reads it: '2026-11-03 14:41 UTC+5'.

    Anything that does not parse is returned as it is (a page never fails on a stored value).
    """
    try:
        moment = parse(text)
    except (TypeError, ValueError):
        return text
    if moment is None:
        return text
    return f"{moment.astimezone(zone).strftime('%Y-%m-%d %H:%M')} {zone.tzname(None)}"
