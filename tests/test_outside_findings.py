"""What an outside test found in sync (issue 14, items 1-6), each as it was reproduced.

Each test sends what the outside client sent, over HTTP where the finding was about HTTP.
"""

import hashlib
import http.client
import io
import json
import urllib.parse
import urllib.request
import uuid

import pytest
from PIL import Image

from fieldapp import blobstore
from fieldapp import strict_json
from fieldapp import uploads
from tests.test_imaging import jpeg
from tests.test_records import record
from tests.test_sync_api import photo_meta


def strict(text):
    """Parse as JavaScript's JSON.parse would: NaN and Infinity are errors."""
    return strict_json.loads(text)


@pytest.fixture
def tech(make):
    return make.user("technician", username="tech")


@pytest.fixture
def inst(make, tech):
    return make.installation([tech], region="KZ-31")


def batch(client, records):
    body = json.dumps({"key": str(uuid.uuid4()), "records": records}, allow_nan=True)
    return client.post("/api/v1/batches", data=body, content_type="application/json")


def speed(inst, raw):
    return record(
        "speed_test", inst, method="browser", connection="wired", down_mbps=95.0, up_mbps=94.0, raw=raw
    )


# 1. Invalid JSON never enters, and never leaves.
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused_on_the_way_in(client, auth, db, tech, inst, constant):
    auth.login("tech")
    body = json.dumps({"key": str(uuid.uuid4()), "records": [speed(inst, {"runs": ["X"]})]})
    answer = client.post(
        "/api/v1/batches", data=body.replace('"X"', constant), content_type="application/json"
    )
    assert (answer.status_code, answer.get_json()["error"]) == (400, "bad_json")
    assert db["speed_tests"].count == 0


def test_a_non_finite_number_already_stored_leaves_as_null(client, auth, db, tech, inst):
    auth.login("tech")
    assert batch(client, [speed(inst, {"runs": [{"down_mbps": 95.0, "up_mbps": 94.0}]})]).status_code == 200
    db.execute("UPDATE speed_tests SET raw = ?", ['{"runs": [NaN, Infinity]}'])  # stored before the rule
    db.conn.commit()
    pulled = strict(client.get("/api/v1/pull").get_data(as_text=True))
    assert pulled["installations"][0]["records"]["speed_tests"][0]["raw"] == {"runs": [None, None]}


# 2. A valid raw never breaks review.
@pytest.mark.parametrize("raw", [{"runs": [95.5, 96.1, 94.8]}, {"runs": "fast"}, [1, 2], "text"])
def test_any_json_raw_reads_on_the_review_page(client, auth, make, db, tech, inst, raw):
    auth.login("tech")
    assert batch(client, [speed(inst, raw)]).get_json()["results"][0]["status"] == "stored"
    auth.logout()
    make.user("supervisor", username="boss", regions=["KZ-31"])
    auth.login("boss")
    assert client.get(f"/review/{inst}").status_code == 200


# 3. One bad string is one refused record.
def test_a_lone_surrogate_refuses_only_its_record(client, auth, db, tech, inst):
    auth.login("tech")
    good, bad = record("note", inst, text="Ключ у завхоза"), record("note", inst, text="X")
    body = json.dumps({"key": str(uuid.uuid4()), "records": [good, bad]}).replace('"X"', '"\\ud83d"')
    answer = client.post("/api/v1/batches", data=body, content_type="application/json")
    results = answer.get_json()["results"]
    assert answer.status_code == 200
    assert [r["status"] for r in results] == ["stored", "rejected"]
    assert results[1]["params"] == {"field": "text"}
    assert [row["text"] for row in db.query("SELECT text FROM notes")] == ["Ключ у завхоза"]
    replay = client.post("/api/v1/batches", data=body, content_type="application/json")
    assert replay.get_json()["results"] == results


def test_a_lone_surrogate_in_a_photo_caption_is_a_clear_422(client, auth, db, tech, inst):
    auth.login("tech")
    meta = json.dumps(photo_meta(inst, jpeg(), caption="X")).replace('"X"', '"\\udc00"')
    answer = client.put(f"/api/v1/photos/{uuid.uuid4()}", data=meta, content_type="application/json")
    assert (answer.status_code, answer.get_json()["error"], answer.get_json()["field"]) == (
        422,
        "bad_field",
        "caption",
    )
    assert db["photos"].count == 0


def test_a_lone_surrogate_as_a_record_type_is_refused_and_the_answer_stored(client, auth, tech, inst):
    auth.login("tech")
    body = json.dumps({"key": str(uuid.uuid4()), "records": [record("X", inst)]}).replace('"X"', '"\\ud83d"')
    first = client.post("/api/v1/batches", data=body, content_type="application/json")
    assert first.status_code == 200 and first.get_json()["results"][0]["code"] == "bad_type"
    assert (
        client.post("/api/v1/batches", data=body, content_type="application/json").get_json()
        == first.get_json()
    )


# 4. A replacement replaces only once complete.
def test_an_announced_replacement_hides_nothing(app, client, auth, make, db, tech, inst):
    blobs = blobstore.from_config(app.config)
    data = jpeg(300, 200, seed=1)
    first = uploads.store_bytes(
        db, blobs, tech, "photo", {"id": str(uuid.uuid4()), **photo_meta(inst, data)}, data
    )
    other = jpeg(300, 200, seed=2)
    uploads.announce(
        db, blobs, tech, "photo", str(uuid.uuid4()), photo_meta(inst, other, replaces=first["id"])
    )
    auth.login("tech")
    photos = client.get("/api/v1/pull").get_json()["installations"][0]["records"]["photos"]
    assert [p["id"] for p in photos] == [first["id"]]
    auth.logout()
    make.user("supervisor", username="boss", regions=["KZ-31"])
    auth.login("boss")
    assert f"/photos/{first['id']}/thumb" in client.get(f"/review/{inst}").get_data(as_text=True)


# 5. An MPO photo (JPEG + a second frame, as many phone cameras write) is a JPEG.
def mpo():
    frames = [Image.new("RGB", (640, 480), colour) for colour in ((200, 120, 40), (40, 120, 200))]
    out = io.BytesIO()
    frames[0].save(out, "MPO", save_all=True, append_images=frames[1:])
    return out.getvalue()


def test_an_mpo_photo_is_stored_as_the_jpeg_it_is(app, db, tech, inst):
    blobs = blobstore.from_config(app.config)
    data = mpo()
    assert Image.open(io.BytesIO(data)).format == "MPO"
    row = uploads.store_bytes(
        db, blobs, tech, "photo", {"id": str(uuid.uuid4()), **photo_meta(inst, data)}, data
    )
    assert (row["status"], row["mime"], row["width"]) == ("complete", "image/jpeg", 640)


def test_a_decoder_failure_nobody_foresaw_refuses_the_photo_and_frees_the_upload(
    app, db, tech, inst, monkeypatch
):
    from fieldapp.evidence import imaging

    monkeypatch.setattr(imaging, "_process", lambda *a: {}["no such key"])
    blobs = blobstore.from_config(app.config)
    data, photo_id = jpeg(), str(uuid.uuid4())
    with pytest.raises(uploads.Rejected) as refused:
        uploads.store_bytes(db, blobs, tech, "photo", {"id": photo_id, **photo_meta(inst, data)}, data)
    assert refused.value.code == "broken_image"
    assert db["photos"].count == 0  # nothing stuck in 'announced': the same id may start again


# 6. Body limits hold for chunked bodies too, and a refused body closes the connection.
def signed_in(live_server):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    form = urllib.parse.urlencode({"username": "tech", "password": "pw"}).encode()
    opener.open(f"{live_server.url}/login", form)
    jar = [h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)][0].cookiejar
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return http.client.HTTPConnection("127.0.0.1", live_server.server_port, timeout=30), cookie


def chunked(connection, method, path, cookie, body, headers=()):
    pieces = (body[i : i + 65536] for i in range(0, len(body), 65536))
    connection.request(
        method,
        path,
        body=pieces,
        encode_chunked=True,
        headers={"Cookie": cookie, "Transfer-Encoding": "chunked", **dict(headers)},
    )
    answer = connection.getresponse()
    return answer, answer.read()


def test_a_chunked_upload_chunk_over_the_limit_is_413(app, db, tech, inst, live_server):
    blobs = blobstore.from_config(app.config)
    data, photo_id = b"\xff" * (2 * 1024 * 1024), str(uuid.uuid4())
    uploads.announce(db, blobs, tech, "photo", photo_id, photo_meta(inst, data))
    connection, cookie = signed_in(live_server)
    answer, body = chunked(
        connection,
        "PATCH",
        f"/api/v1/photos/{photo_id}/upload",
        cookie,
        data,
        {"Upload-Offset": "0", "Chunk-Sha256": hashlib.sha256(data).hexdigest()},
    )
    assert (answer.status, json.loads(body)["error"]) == (413, "chunk_too_large")
    # The unread rest of the body ends that connection, and the answer says so: the next
    # request goes on a fresh one instead of failing on a socket the server dropped.
    assert "close" in answer.getheader("Connection", "")
    connection.request("GET", f"/api/v1/photos/{photo_id}/upload", headers={"Cookie": cookie})
    assert json.loads(connection.getresponse().read())["offset"] == 0


def test_a_chunked_batch_over_the_limit_is_413_not_bad_json(app, tech, inst, live_server):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    records = [record("note", inst, text="x" * 4000) for _ in range(400)]
    body = json.dumps({"key": str(uuid.uuid4()), "records": records}).encode()
    connection, cookie = signed_in(live_server)
    answer, text = chunked(
        connection, "POST", "/api/v1/batches", cookie, body, {"Content-Type": "application/json"}
    )
    assert (answer.status, json.loads(text)["error"]) == (413, "request_entity_too_large")


def test_a_chunked_batch_within_the_limit_is_stored(app, db, tech, inst, live_server):
    body = json.dumps({"key": str(uuid.uuid4()), "records": [record("note", inst, text="ok")]}).encode()
    connection, cookie = signed_in(live_server)
    answer, text = chunked(
        connection, "POST", "/api/v1/batches", cookie, body, {"Content-Type": "application/json"}
    )
    assert answer.status == 200 and json.loads(text)["results"][0]["status"] == "stored"
