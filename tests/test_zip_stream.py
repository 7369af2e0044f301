"""zip_stream.py and the packets ZIP sent while it is packed: nothing written to disk."""

import io
import os
import uuid
import zipfile

import pytest

from fieldapp import blobstore
from fieldapp import installations
from fieldapp import uploads
from fieldapp import zip_stream
from tests.test_imaging import jpeg


def write_files(count, size=100_000):
    def produce(out):
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for n in range(count):
                zf.writestr(f"f{n}.bin", os.urandom(size))

    return produce


def test_a_stream_is_a_whole_zip():
    data = b"".join(zip_stream.stream(write_files(12)))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert len(archive.namelist()) == 12 and archive.testzip() is None


def test_the_writer_stays_a_few_chunks_ahead_and_stops_when_the_reader_does():
    written = []

    def produce(out):
        for _ in range(1000):
            out.write(b"x" * zip_stream.CHUNK)
            written.append(1)

    chunks = zip_stream.stream(produce)
    next(chunks)
    chunks.close()  # the admin cancelled the download
    assert len(written) <= zip_stream.QUEUED_CHUNKS + 3


def test_a_writer_failure_reaches_the_reader():
    def produce(out):
        out.write(b"start")
        raise blobstore.StorageUnavailable("down")

    with pytest.raises(blobstore.StorageUnavailable):
        b"".join(zip_stream.stream(produce))


@pytest.fixture
def accepted(app, db, make):
    """Two accepted installations, each with a real photo in the app's store."""
    tech = make.user("technician", username="tech")
    blobs, made = blobstore.from_config(app.config), []
    for _ in range(2):
        inst = make.installation([tech], status="in_progress")
        row = uploads.store_bytes(db, blobs, tech, "photo", {"id": str(uuid.uuid4()), "installation_id": inst,
                                                         "shot": "cable_entry"}, jpeg(640, 480))
        for step in ("submitted", "approved", "accepted"):
            installations.transition(db, inst, step)
        made.append((inst, row))
    return made


def test_packets_stream_to_the_admin_without_a_job_or_a_file(app, client, admin, db, accepted):
    page = client.get("/admin/exports/packets").get_data(as_text=True)
    assert "/admin/exports/packets.zip" in page
    response = client.get("/admin/exports/packets.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.is_streamed
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    for inst, row in accepted:
        photo = next(n for n in names if n.endswith(f"{row['id']}.jpg") and f"/{inst}-" in n)
        with blobstore.from_config(app.config).open(row["blob_key"]) as original:
            assert archive.read(photo) == original.read()
    assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 0
    assert not os.path.exists(app.config["JOB_DIR"]) or not os.listdir(app.config["JOB_DIR"])


def test_streaming_nothing_accepted_says_so(client, admin, make):
    make.installation()
    response = client.get("/admin/exports/packets.zip", follow_redirects=True)
    assert "No accepted installations" in response.get_data(as_text=True)
