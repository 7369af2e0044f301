"""Compressed responses: the same bytes once decoded, only where they help, and files that
still answer HEAD, If-None-Match and Range as files do."""

import gzip
import os
import uuid

import brotli
import pytest

from fieldapp import blobstore
from fieldapp import compression
from fieldapp import uploads
from tests.test_imaging import jpeg

DECODE = {"gzip": gzip.decompress, "br": brotli.decompress}
STATIC = ["/static/js/splices.js", "/static/css/app.css", "/vendor/qr-scanner/qr-scanner.min.js",
          "/manifest.webmanifest"]


@pytest.fixture
def tech(make):
    return make.user("technician", username="tech")


def identity(client, url, **kwargs):
    return client.get(url, headers={"Accept-Encoding": "identity"}, **kwargs)


@pytest.mark.parametrize("encoding", ["gzip", "br"])
@pytest.mark.parametrize("url", [*STATIC, "/tech/messages.json", "/sw.js", "/login"])
def test_compressed_decodes_to_the_same_bytes(client, url, encoding):
    plain = identity(client, url)
    response = client.get(url, headers={"Accept-Encoding": encoding})
    assert response.status_code == plain.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data) < len(plain.data)
    assert DECODE[encoding](response.data) == plain.data
    assert response.mimetype == plain.mimetype


@pytest.mark.parametrize(("accept", "expected"), [
    ("gzip, deflate, br, zstd", "br"),  # Chromium over HTTPS (and on localhost)
    ("gzip, deflate", "gzip"),  # Chromium over plain HTTP
    ("br;q=0, gzip", "gzip"),
    ("gzip;q=0.5, br;q=0.2", "gzip"),
    ("*", "br"),
    ("identity", None),
    ("", None),
])
def test_encoding_follows_accept_encoding(client, accept, expected):
    for url in ("/static/js/splices.js", "/tech/messages.json"):
        response = client.get(url, headers={"Accept-Encoding": accept})
        assert response.headers.get("Content-Encoding") == expected, url


def test_pull_is_compressed_on_the_fly(client, auth, make, tech):
    for n in range(8):
        make.installation([tech], name_ru=f"Школа {n}")
    auth.login("tech")
    plain = identity(client, "/api/v1/pull?cursor=0")
    for encoding, decode in DECODE.items():
        response = client.get("/api/v1/pull?cursor=0", headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        assert decode(response.data) == plain.data


def test_small_answers_are_sent_as_they_are(client):
    response = client.get("/static/icons/icon-192.png", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    small = client.get("/api/v1/pull", headers={"Accept-Encoding": "gzip"})  # 401, a short JSON
    assert "Content-Encoding" not in small.headers
    assert "Accept-Encoding" in small.headers["Vary"]


def test_speed_test_stream_stays_identity_and_unbuffered(client, auth, tech):
    auth.login("tech")
    response = client.get("/speedtest/down?bytes=300000", headers={"Accept-Encoding": "gzip, br"},
                          buffered=False)
    assert response.headers["Content-Encoding"] == "identity"
    assert response.is_streamed
    assert len(response.get_data()) == int(response.headers["Content-Length"]) == 300000


def test_photos_are_never_compressed(app, db, client, auth, make, tech):
    installation = make.installation([tech])
    data = jpeg(640, 480)
    row = uploads.store_bytes(db, blobstore.from_config(app.config), tech, "photo",
                                   {"id": str(uuid.uuid4()), "installation_id": installation,
                                    "shot": "power"}, data)
    auth.login("tech")
    for variant in ("original", "thumb"):
        response = client.get(f"/photos/{row['id']}/{variant}", headers={"Accept-Encoding": "gzip, br"})
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
    assert response.data[:2] == data[:2] == b"\xff\xd8"


def test_files_sent_by_send_file_pass_untouched(app):
    with app.test_request_context(headers={"Accept-Encoding": "gzip"}):
        response = app.response_class(b"x" * 5000, mimetype="text/plain", direct_passthrough=True)
        assert compression.compress_response(response).headers.get("Content-Encoding") is None
        zipped = app.response_class(b"PK" * 5000, mimetype="application/zip")
        assert compression.compress_response(zipped).headers.get("Content-Encoding") is None


def test_compression_can_be_turned_off(app, client):
    app.config["COMPRESS"] = False
    for url in ("/static/js/splices.js", "/tech/messages.json"):
        assert "Content-Encoding" not in client.get(url, headers={"Accept-Encoding": "br"}).headers


@pytest.mark.parametrize("encoding", ["gzip", "br", "identity"])
def test_static_head_and_304(client, encoding):
    url = "/static/js/splices.js"
    headers = {"Accept-Encoding": encoding}
    full = client.get(url, headers=headers)
    head = client.head(url, headers=headers)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == full.headers["Content-Length"]
    assert head.headers["ETag"] == full.headers["ETag"]
    again = client.get(url, headers={**headers, "If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_each_encoding_has_its_own_etag(client):
    tags = {client.get("/static/js/splices.js", headers={"Accept-Encoding": e}).headers["ETag"]
            for e in ("gzip", "br", "identity")}
    assert len(tags) == 3
    gzip_tag = client.get("/static/js/splices.js", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    other = client.get("/static/js/splices.js", headers={"Accept-Encoding": "br", "If-None-Match": gzip_tag})
    assert other.status_code == 200  # a gzip copy in the cache is not the br representation


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_static_range_is_a_slice_of_what_is_sent(client, encoding):
    url = "/static/js/splices.js"
    full = client.get(url, headers={"Accept-Encoding": encoding}).data
    part = client.get(url, headers={"Accept-Encoding": encoding, "Range": "bytes=10-99"})
    assert part.status_code == 206
    assert part.data == full[10:100]
    assert part.headers["Content-Length"] == "90"


def test_static_copies_are_made_once_per_file_version(app, client, tmp_path):
    folder = tmp_path / "static"
    (folder / "js").mkdir(parents=True)
    script = folder / "js" / "new.js"
    script.write_text("console.log('one');\n" * 100)
    app.static_folder = str(folder)
    first = client.get("/static/js/new.js", headers={"Accept-Encoding": "gzip"})
    cache = app.config["COMPRESS_CACHE_DIR"]
    assert len(os.listdir(cache)) == 1
    client.get("/static/js/new.js", headers={"Accept-Encoding": "gzip"})
    assert len(os.listdir(cache)) == 1
    script.write_text("console.log('two');\n" * 100)
    os.utime(script, ns=(1, 1))
    second = client.get("/static/js/new.js", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(second.data).decode().startswith("console.log('two')")
    assert second.headers["ETag"] != first.headers["ETag"]
    assert client.get("/static/js/missing.js", headers={"Accept-Encoding": "gzip"}).status_code == 404
    assert client.get("/static/../fieldapp/config.py").status_code == 404


@pytest.mark.parametrize("encoding", ["gzip", "br", "identity"])
def test_dynamic_head_and_304(client, encoding):
    url = "/tech/messages.json"  # dynamic, with an ETag of its content
    headers = {"Accept-Encoding": encoding}
    full = client.get(url, headers=headers)
    head = client.head(url, headers=headers)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == full.headers["Content-Length"] == str(len(full.data))
    again = client.get(url, headers={**headers, "If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert "Content-Encoding" not in again.headers or again.headers["Content-Encoding"] == encoding
