"""The role matrix: who sees which installations and who reaches which pages."""

import pytest

from fieldapp import access


@pytest.fixture
def world(make):
    """Two technicians, a supervisor of Jambyl, an admin, installations in two oblasts."""
    tech = make.user(username="tech")
    tech2 = make.user(username="tech2")
    boss = make.user("supervisor", username="super", regions=["KZ-31"])
    admin = make.user("admin", username="admin")
    jambyl = make.installation([tech], region="KZ-31")
    pavlodar = make.installation([tech2], region="KZ-55", lat=52.3, lon=76.9)
    return {
        "tech": tech,
        "tech2": tech2,
        "super": boss,
        "admin": admin,
        "jambyl": jambyl,
        "pavlodar": pavlodar,
    }


@pytest.mark.parametrize(
    ("who", "jambyl", "pavlodar"),
    [("tech", True, False), ("tech2", False, True), ("super", True, False), ("admin", True, True)],
)
def test_installation_visibility(db, world, who, jambyl, pavlodar):
    user = world[who]
    assert access.can_see_installation(db, user, world["jambyl"]) is jambyl
    assert access.can_see_installation(db, user, world["pavlodar"]) is pavlodar


@pytest.mark.parametrize(
    ("role", "collect", "view", "review", "admin"),
    [
        ("technician", True, False, False, False),
        ("supervisor", False, True, True, False),
        ("admin", False, True, True, True),
    ],
)
def test_permissions(role, collect, view, review, admin):
    user = {"role": role}
    assert [access.can(user, p) for p in ("collect", "view", "review", "admin")] == [
        collect,
        view,
        review,
        admin,
    ]


PAGES = [
    # (path, anonymous, technician, supervisor, admin): expected status codes
    ("/tech/sites", 302, 200, 403, 403),
    ("/review/", 302, 403, 200, 200),
    ("/progress/", 302, 403, 200, 200),
    ("/admin/", 302, 403, 403, 200),
    ("/admin/sites/", 302, 403, 403, 200),
    ("/admin/users/", 302, 403, 403, 200),
]


@pytest.mark.parametrize(("path", "anon", "tech", "boss", "admin"), PAGES)
def test_page_matrix(client, auth, world, path, anon, tech, boss, admin):
    assert client.get(path).status_code == anon
    for username, expected in (("tech", tech), ("super", boss), ("admin", admin)):
        auth.login(username)
        assert client.get(path).status_code == expected, (username, path)
        auth.logout()


def test_technician_list_shows_only_assigned(client, auth, db, world):
    auth.login("tech")
    page = client.get("/tech/sites").get_data(as_text=True)
    jambyl = db["installations"].get(world["jambyl"])["institution_id"]
    pavlodar = db["installations"].get(world["pavlodar"])["institution_id"]
    assert (
        db["institutions"].get(jambyl)["name_ru"] in page or db["institutions"].get(jambyl)["name_kk"] in page
    )
    assert db["institutions"].get(pavlodar)["name_ru"] not in page


def test_supervisor_progress_counts_only_own_regions(client, auth, world):
    auth.login("super")
    page = client.get("/progress/").get_data(as_text=True)
    assert "Jambyl" in page or "Жамбыл" in page
    assert "Pavlodar" not in page and "Павлодар" not in page
