"""photo_views.py: photos served only to people who may see the installation."""

import io
import uuid

import pytest
from PIL import Image

from fieldapp import blobstore
from fieldapp import uploads
from tests.test_imaging import jpeg
from tests.test_imaging import picture


@pytest.fixture
def stored(app, db, make):
    tech = make.user("technician", username="tech")
    inst = make.installation([tech], region="KZ-31")
    data = jpeg(2400, 1800, orientation=6, gps=(42, 71))
    row = uploads.store_bytes(db, blobstore.from_config(app.config), tech, "photo",
                                   {"id": str(uuid.uuid4()), "installation_id": inst, "shot": "power"},
                                   data)
    return row, data


@pytest.mark.parametrize("username, role, regions, allowed", [
    ("tech", None, (), True),
    ("other", "technician", (), False),
    ("sup31", "supervisor", ("KZ-31",), True),
    ("sup35", "supervisor", ("KZ-35",), False),
    ("boss", "admin", (), True),
])
def test_rights(client, auth, make, stored, username, role, regions, allowed):
    if role:
        make.user(role, username=username, regions=regions)
    auth.login(username)
    response = client.get(f"/photos/{stored[0]['id']}/thumb")
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert "private" in response.headers["Cache-Control"]
        assert "public" not in response.headers["Cache-Control"]


def test_variants(client, auth, stored, tmp_path):
    row, data = stored
    auth.login("tech")
    original = client.get(f"/photos/{row['id']}/original")
    assert original.data == data and original.mimetype == "image/jpeg"
    for variant, longest in (("display", 1600), ("thumb", 320)):
        path = tmp_path / f"{variant}.jpg"
        path.write_bytes(client.get(f"/photos/{row['id']}/{variant}").data)
        with Image.open(path) as img:
            assert max(img.size) == longest and img.size[1] > img.size[0]
            assert not img.getexif()


@pytest.mark.parametrize("path", ["/photos/nope/thumb", f"/photos/{uuid.uuid4()}/thumb"])
def test_unknown(client, auth, stored, path):
    auth.login("tech")
    assert client.get(path).status_code == 404


def test_anonymous_redirected(client, stored):
    assert client.get(f"/photos/{stored[0]['id']}/thumb").status_code == 302


def test_a_webp_upload_is_served_as_webp_and_its_thumbnail_as_jpeg(app, db, client, auth, make):
    tech = make.user("technician", username="webp")
    inst = make.installation([tech], region="KZ-31")
    out = io.BytesIO()
    picture(1600, 1200).save(out, "WEBP", quality=80)
    row = uploads.store_bytes(db, blobstore.from_config(app.config), tech, "photo",
                              {"id": str(uuid.uuid4()), "installation_id": inst, "shot": "power"},
                              out.getvalue())
    auth.login("webp")
    for variant, mime in (("original", "image/webp"), ("display", "image/webp"), ("thumb", "image/jpeg")):
        response = client.get(f"/photos/{row['id']}/{variant}")
        assert response.status_code == 200 and response.mimetype == mime, variant
        assert Image.open(io.BytesIO(response.data)).format == mime.split("/")[1].upper()
    # Reading the type did not eat the start: the display version is the upload, whole.
    assert client.get(f"/photos/{row['id']}/display").data == out.getvalue()
