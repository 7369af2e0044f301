"""Time as the app stores it: ISO-8601 UTC strings that sort as text."""

from datetime import UTC
from datetime import datetime


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
