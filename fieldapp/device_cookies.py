"""The device cookie: a browser's signed note of the accounts it has signed in to.

A sign-in from a browser that holds one for the account being signed in to is counted under
its own key (login_limits: `device:<name>:<id>`) and does not wait for its network. So an
attacker who guesses at an account, or sprays one password over a carrier's shared address,
locks out only browsers that never signed in there; the crew's phones go on signing in.
The cookie is signed with SECRET_KEY (nobody can make one without a right password) and is
sent only to /login.
"""

import secrets

from flask import current_app
from flask import request
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

COOKIE = "fieldapp_device"
MAX_AGE_S = 365 * 24 * 3600
MAX_ACCOUNTS = 5  # a crew's shared phone signs in as a few people


def _signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="fieldapp.device")


def known():
    """{username: device id} this browser has signed in as, from a cookie we signed; else {}."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return {}
    try:
        devices = _signer().loads(raw, max_age=MAX_AGE_S)
    except BadSignature:
        return {}
    if not isinstance(devices, dict):
        return {}
    return {k: v for k, v in devices.items() if isinstance(k, str) and isinstance(v, str)}


def key(username):
    """The login_limits key of this browser for `username`, or None when it never signed in as them."""
    device = known().get(username)
    return f"device:{username}:{device}" if device else None


def remember(response, username):
    """After a right password: add `username` to this browser's cookie (the newest few kept)."""
    devices = known()
    device = devices.pop(username, None) or secrets.token_urlsafe(16)
    devices[username] = device
    devices = dict(list(devices.items())[-MAX_ACCOUNTS:])
    secure = bool(current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure)
    response.set_cookie(
        COOKIE,
        _signer().dumps(devices),
        max_age=MAX_AGE_S,
        path="/login",
        secure=secure,
        httponly=True,
        samesite="Lax",
    )
    return response
