"""blob_views.py: an object-store outage answers 503 storage_unavailable and loses nothing."""

import hashlib
import os
import uuid

import pytest
from seaweed import SeaweedFS

from fieldapp import blobstore
from fieldapp import uploads
from fieldapp.evidence import photo as photo_kind
from tests.test_imaging import jpeg


@pytest.fixture
def outage_store(tmp_path):
    """A SeaweedFS of this test's own, so stopping it leaves the session's one serving the rest."""
    server = SeaweedFS(tmp_path / "own-seaweedfs").start()
    yield server
    server.stop()


@pytest.fixture
def blob_config(outage_store):
    return outage_store.config(prefix="outage/")


@pytest.fixture
def tech(make):
    return make.user("technician", username="tech")


def upload(client, inst, data):
    """Announce and send every byte; return the photo's API URL (not completed yet)."""
    url = "/api/v1/photos/" + str(uuid.uuid4())
    meta = {"installation_id": inst, "shot": "power", "size": len(data), "caption": "",
            "sha256": hashlib.sha256(data).hexdigest(), "device_time": "2026-11-20T10:00:00Z"}
    assert client.put(url, json=meta).status_code == 200
    sent = client.patch(url + "/upload", data=data, headers={
        "Upload-Offset": "0", "Chunk-Sha256": hashlib.sha256(data).hexdigest(),
        "Content-Type": "application/offset+octet-stream"})
    assert sent.json["offset"] == len(data)
    return url


def test_store_down_mid_run_loses_nothing(app, client, auth, db, make, tech, outage_store):
    inst = make.installation([tech])
    auth.login("tech")
    before = upload(client, inst, jpeg(800, 600))
    assert client.post(before + "/complete").json["status"] == "stored"
    data = jpeg(1200, 900)
    url = upload(client, inst, data)
    photo_id = url.rsplit("/", 1)[1]
    blobs = blobstore.from_config(app.config)
    part = os.path.join(blobs.parts_dir, f"{photo_id}.part")

    outage_store.stop()
    down = client.post(url + "/complete")
    assert down.status_code == 503 and down.json["error"] == "storage_unavailable"
    assert int(down.headers["Retry-After"]) > 0 and down.json["message"]
    assert os.path.getsize(part) == len(data)  # the bytes stay on the server
    row = uploads.get(db, photo_kind, photo_id)
    assert row["status"] == "announced" and row["blob_key"] is None
    assert client.get(url + "/upload").json["offset"] == len(data)  # the phone need not resend
    shown = client.get(before.replace("/api/v1", "") + "/original")
    assert shown.status_code == 503 and shown.mimetype == "image/svg+xml"
    assert b"unreachable" in shown.data
    cached = client.get(before.replace("/api/v1", "") + "/thumb")  # kept on the app server
    assert cached.status_code == 200 and cached.mimetype == "image/jpeg"

    outage_store.start()
    again = client.post(url + "/complete")
    assert again.status_code == 200 and again.json["status"] == "stored"
    assert not os.path.exists(part)
    stored = client.get(url.replace("/api/v1", "") + "/original")
    assert stored.status_code == 200 and stored.data == data
    assert client.get(before.replace("/api/v1", "") + "/original").mimetype == "image/jpeg"


def test_a_missing_blob_is_drawn_as_missing(app, client, auth, db, make, tech):
    inst = make.installation([tech])
    auth.login("tech")
    url = upload(client, inst, jpeg(640, 480))
    client.post(url + "/complete")
    row = uploads.get(db, photo_kind, url.rsplit("/", 1)[1])
    blobstore.from_config(app.config).delete(photo_kind.variant_key(row, "display"))
    shown = client.get(f"/photos/{row['id']}/display")
    assert shown.status_code == 404 and shown.mimetype == "image/svg+xml" and b"missing" in shown.data


def test_pages_answer_503_not_500(app, client):
    def reads_a_blob():
        raise blobstore.StorageUnavailable("test")

    app.add_url_rule("/test-blob-page", view_func=reads_a_blob)
    response = client.get("/test-blob-page")
    assert response.status_code == 503 and "Nothing is lost" in response.text
    assert response.headers["Retry-After"]
