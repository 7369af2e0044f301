"""Compressed responses for phones on 2G/3G: brotli where the client takes it, else gzip.

Static files (static/, the npm files under /vendor/, the manifest) are compressed once
per version of the file, on its first request, into COMPRESS_CACHE_DIR, and served from
there with an ETag of their own, so 304 and Range work as for any file. Dynamic text
(pages, JSON such as /api/v1/pull, the service worker) is compressed on the fly at a
level that is cheap on a small server. Never compressed: anything sent by send_file from
a handle or a non-text file (photos and other blobs, ZIPs, job downloads) and streams
(the speed test, whose random bytes must reach the phone unbuffered).

Our own module rather than Flask-Compress: that compresses every response in an
after_request hook, static files included, on every request unless a cache backend is
added, and its rules for what to skip are by media type only; here the static path is
compressed once per file version and the skip rules follow how a response is built.
"""

import gzip
import hashlib
import mimetypes
import os
import uuid

import brotli
from flask import current_app
from flask import request
from flask import send_file
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

# Server preference when the client takes both equally. Chromium offers br only to secure
# origins (HTTPS, and localhost); over plain HTTP on a LAN it gets gzip.
ENCODINGS = ("br", "gzip")
# Below this a compressed body saves less than its framing and the CPU it costs.
MIN_BYTES = 512
TEXT_TYPES = {"application/json", "application/javascript", "application/manifest+json",
              "application/geo+json", "application/xml", "image/svg+xml"}
TEXT_SUFFIXES = {".js", ".mjs", ".css", ".html", ".json", ".geojson", ".svg", ".webmanifest", ".txt",
                 ".map", ".xml", ".csv"}
# Static files are compressed once, so they get the best levels; dynamic answers are
# compressed per request, so a cheap level: gzip 6 and brotli 5 cost a few ms for a
# 260 KB pull and are within a few per cent of the best ratio (bench/bench_wire.py).
STATIC_LEVELS = {"br": 11, "gzip": 9}
DYNAMIC_LEVELS = {"br": 5, "gzip": 6}
NO_BODY = {204, 206, 304}


def init_app(app):
    """Serve static/ through the cache of compressed files and compress dynamic text."""
    app.view_functions["static"] = static_file
    app.after_request(compress_response)


def encode(data, encoding, levels=DYNAMIC_LEVELS):
    """`data` compressed with `encoding` ("br" or "gzip"); gzip without a timestamp."""
    if encoding == "br":
        return brotli.compress(data, quality=levels["br"])
    return gzip.compress(data, compresslevel=levels["gzip"], mtime=0)


def negotiate():
    """The encoding to answer this request with, from its Accept-Encoding, or None."""
    if not current_app.config["COMPRESS"]:
        return None
    return request.accept_encodings.best_match(ENCODINGS)


def is_text(mimetype):
    """Whether a media type is text that compresses (images, ZIPs, octets never are)."""
    return bool(mimetype) and (mimetype.startswith("text/") or mimetype in TEXT_TYPES)


def compress_response(response):
    """Compress a dynamic text answer for the client; files and streams pass untouched."""
    if response.direct_passthrough or response.is_streamed or response.status_code in NO_BODY:
        return response
    if "Content-Encoding" in response.headers or not is_text(response.mimetype):
        return response
    response.vary.add("Accept-Encoding")
    data = response.get_data()
    encoding = negotiate() if len(data) >= MIN_BYTES else None
    if encoding is None:
        return response
    response.set_data(encode(data, encoding))
    response.content_encoding = encoding
    etag, weak = response.get_etag()
    if etag:
        # Each encoding is its own representation; If-None-Match is checked against it here.
        response.set_etag(f"{etag}-{encoding}", weak)
        response.make_conditional(request)
    return response


def static_file(filename):
    """Flask's static view, answering from the compressed cache."""
    app = current_app
    return send_static(app.static_folder, filename, max_age=app.get_send_file_max_age(filename))


def send_static(directory, filename, max_age=None, mimetype=None):
    """A file under `directory`, compressed for the client when it is text.

    The compressed copy keeps the file's media type and gets its own ETag (the file's
    version plus the encoding), so If-None-Match, HEAD and Range behave as for the file.
    """
    path = safe_join(os.path.abspath(directory), filename)
    if path is None or not os.path.isfile(path):
        raise NotFound()
    text = os.path.splitext(path)[1].lower() in TEXT_SUFFIXES
    stat = os.stat(path)
    encoding = negotiate() if text and stat.st_size >= MIN_BYTES else None
    if encoding is None:
        response = send_file(path, mimetype=mimetype, max_age=max_age, conditional=True)
    else:
        key = version_key(path, stat)
        mimetype = mimetype or mimetypes.guess_type(path)[0] or "application/octet-stream"
        response = send_file(cached(path, key, encoding), mimetype=mimetype, max_age=max_age,
                             conditional=True, etag=f"{key}-{encoding}", last_modified=stat.st_mtime)
        response.content_encoding = encoding
    # send_file names the file it sent (here the cache's copy); a page's asset needs no name.
    del response.headers["Content-Disposition"]
    if text:
        response.vary.add("Accept-Encoding")
    return response


def version_key(path, stat):
    """A name for one version of a file: its path, modification time and size."""
    return hashlib.sha256(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}".encode()).hexdigest()[:32]


def cached(path, key, encoding):
    """The compressed copy of one file version, made on first use (atomically, so two
    workers racing both write a whole file and one wins)."""
    folder = current_app.config["COMPRESS_CACHE_DIR"]
    target = os.path.join(folder, f"{key}.{encoding}")
    if os.path.exists(target):
        return target
    os.makedirs(folder, exist_ok=True)
    with open(path, "rb") as f:
        data = encode(f.read(), encoding, STATIC_LEVELS)
    partial = f"{target}.{uuid.uuid4().hex}.part"
    with open(partial, "wb") as f:
        f.write(data)
    os.replace(partial, target)
    return target
