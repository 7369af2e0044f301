"""Response hardening: CSRF everywhere, strict CSP, and headers on every response."""

from flask import current_app
from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

csrf = CSRFProtect()

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob: data: https://*.tile.openstreetmap.org",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Flask's own static view: files that are the same for everyone, cached as send_file says.
CACHEABLE_ENDPOINTS = {"static"}


def cacheable(view):
    """Mark a view that sets its caching on purpose: the service worker's shell (no user data),
    vendored modules, photos (`private`). Put it right under the route decorator.

    Every other answer is `no-store`: pulls, site lists, review pages, user lists, exports and
    packet ZIPs are private to whoever signed in, and Werkzeug's send_file default (`no-cache`)
    still lets a browser or proxy keep a copy on disk.
    """
    view.cacheable = True
    return view


# Files, not pages: the session is never changed by them.
ASSET_ENDPOINTS = {"static", "bundle.file", "vendor.asset", "technician.manifest"}
# Responses that can never run as a document or a worker: a browser ignores a
# Content-Security-Policy, frame, referrer or permissions policy on them, so those headers
# (~470 bytes) are only sent on everything else (HTML, SVG, JavaScript, which includes the
# worker scripts, whose CSP comes from their own response).
INERT_TYPES = {"text/css", "application/json", "application/manifest+json", "image/png",
               "image/jpeg", "image/webp", "image/gif", "font/woff2"}
SCRIPT_TYPES = {"text/javascript", "application/javascript"}
# Our ES modules and their bundles (fieldapp/bundle.py): they run only as a page's modules.
MODULE_ENDPOINTS = {"static", "bundle.file"}


def inert(response):
    """Whether a response can never be a document or a worker's script.

    Our own static/js files and their bundles are ES modules: a browser runs them only as
    modules of a page or worker, under that page's or worker's policy (the one worker of
    ours, /sw.js, is served elsewhere). Vendor scripts keep the headers: qr-scanner's
    worker is started from its file.
    """
    if response.mimetype in INERT_TYPES:
        return True
    return request.endpoint in MODULE_ENDPOINTS and response.mimetype in SCRIPT_TYPES


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS.

    `make run` serves plain HTTP on a LAN for demos, where a Secure cookie would never come
    back; behind HTTPS (directly or via a trusted proxy) the cookie must not leak to HTTP.
    """

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def should_set_cookie(self, app, session):
        """Refresh the cookie's expiry on pages and API calls, not on every static file.

        A signed-in phone fetches some forty files to install the shell; a 230-byte
        Set-Cookie on each was a tenth of its bytes on the wire (docs/technician.md).
        """
        if request.endpoint in ASSET_ENDPOINTS and not session.modified:
            return False
        return super().should_set_cookie(app, session)

    def save_session(self, app, session, response):
        """A file the same for everyone does not vary with the cookie.

        Flask adds `Vary: Cookie` whenever the session was read (here: on every request, to
        know the user), and the cookie's value changes each time its expiry is refreshed; a
        cached bundle, immutable by name, would then be fetched again by the service worker's
        precache instead of being taken from the browser's cache (fieldapp/bundle.py).
        """
        super().save_session(app, session, response)
        if request.endpoint in ASSET_ENDPOINTS and not session.modified:
            response.vary.discard("cookie")  # lower case: how HeaderSet.remove compares


def init_app(app):
    """Turn on CSRF (forms and the JSON API's X-CSRFToken header), cookies and the header hook."""
    csrf.init_app(app)
    app.session_interface = SessionInterface()
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Behind nginx or a load balancer: believe its X-Forwarded-Proto/For, no one else's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.after_request(add_headers)


def add_headers(response):
    """Security headers on every response that can be a document or a worker; nosniff on
    all; HSTS and Secure cookies only behind HTTPS."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not inert(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(self), geolocation=(self), microphone=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    _cache_control(response)
    return response


def _cache_control(response):
    """no-store unless the view was marked cacheable and said how (an error from it has not)."""
    endpoint = request.endpoint
    view = current_app.view_functions.get(endpoint) if endpoint else None
    deliberate = endpoint in CACHEABLE_ENDPOINTS or getattr(view, "cacheable", False)
    if deliberate and "Cache-Control" in response.headers:
        return
    if "no-store" not in response.headers.get("Cache-Control", ""):  # keep e.g. no-transform
        response.headers["Cache-Control"] = "no-store"
