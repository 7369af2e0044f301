"""User administration: create, role and regions, deactivate, reset password, never lose the last admin."""

import pytest

from fieldapp import accounts
from fieldapp import roster

NEW = {
    "username": "aigerim",
    "name": "Айгерим Токтарова",
    "role": "supervisor",
    "language": "kk",
    "password": "long-enough-1",
    "confirm": "long-enough-1",
    "active": "y",
}


def test_create_supervisor_with_regions_who_can_then_sign_in(client, admin, db, make, app):
    regions = [make.region_id("KZ-31"), make.region_id("KZ-61")]
    assert client.post("/admin/users/new", data={**NEW, "regions": regions}).status_code == 302
    user = accounts.authenticate(db, "aigerim", "long-enough-1")
    assert user["role"] == "supervisor" and sorted(user["region_ids"]) == sorted(regions)
    assert user["language"] == "kk"
    assert "aigerim" in client.get("/admin/users/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "Айгерим", "Lower-case Latin letters"),
        ("password", "short", "between 10 and 200 characters"),
        ("confirm", "different-123", "The passwords differ"),
        ("name", '=HYPERLINK("http://x")', "a spreadsheet would run it as a formula"),
        ("name", "Айгерим\x00", "control character"),
    ],
)
def test_create_refuses_bad_input(client, admin, db, field, value, message):
    page = client.post("/admin/users/new", data={**NEW, field: value}).get_data(as_text=True)
    assert message in page
    assert db.execute("SELECT COUNT(*) FROM users WHERE username = 'aigerim'").fetchone()[0] == 0


def test_duplicate_username_is_refused(client, admin, make):
    make.user(username="aigerim")
    assert "This username is taken" in client.post("/admin/users/new", data=NEW).get_data(as_text=True)


def test_edit_role_and_deactivate_signs_them_out(client, admin, db, make, app):
    tech = make.user(username="tech")
    other = app.test_client()
    other.post("/login", data={"username": "tech", "password": "pw"})
    assert other.get("/tech/sites").status_code == 200
    data = {"name": "Tech", "role": "supervisor", "language": "ru", "regions": [make.region_id("KZ-55")]}
    client.post(f"/admin/users/{tech['id']}", data=data)  # "active" unchecked
    row = roster.get(db, tech["id"])
    assert (
        row["role"] == "supervisor" and row["active"] == 0 and row["region_ids"] == [make.region_id("KZ-55")]
    )
    assert "/login" in other.get("/tech/sites").headers["Location"]


def test_reset_password_lifts_backoff(client, admin, db, make):
    tech = make.user(username="tech")
    for key in ("account:tech", "device:tech:phone1"):
        db["login_failures"].insert(
            {
                "key": key,
                "failures": 9,
                "forget_after": "2999-01-01T00:00:00Z",
                "locked_until": "2999-01-01T00:00:00Z",
            }
        )
    client.post(
        f"/admin/users/{tech['id']}/password",
        data={"password": "new-password-1", "confirm": "new-password-1"},
    )
    assert accounts.authenticate(db, "tech", "new-password-1")["id"] == tech["id"]
    assert db["login_failures"].count == 0


def test_the_last_admin_cannot_demote_or_deactivate_themselves(client, admin, db):
    page = client.post(
        f"/admin/users/{admin['id']}", data={"name": "Boss", "role": "technician", "language": "en"}
    )
    assert "last active admin" in page.get_data(as_text=True)
    assert roster.get(db, admin["id"])["role"] == "admin" and roster.get(db, admin["id"])["active"] == 1
