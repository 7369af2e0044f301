"""ids.py: an id or integer filter wider than SQLite's INTEGER is a 404 or an ignored filter, never a 500."""

import re

import pytest

from fieldapp import create_app
from fieldapp import ids

VALUES = [str(2**63), "-1", "0", str(10**30), str(-(2**63) - 1), "1e20", "²", "nan"]
# Integer arguments any page reads from its query string or a form.
INT_PARAMS = ["region_id", "district_id", "region", "district", "technician", "page", "min_age_days",
              "stale", "installation", "cursor", "bytes", "runs", "phase", "ids", "technicians"]
# What the other parts of a URL with an id take (the id is what is under test).
SAMPLES = {"kind": "png", "decision": "approve", "variant": "thumb"}
SKIP = {"static", "vendor.asset", "technician.shell", "technician.service_worker"}


def _app():
    return create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE": ":memory:"})


def _id_rules():
    """Every rule whose URL holds an integer (all of them must use <id:...>)."""
    return [rule for rule in _app().url_map.iter_rules()
            if any(isinstance(c, ids.IdConverter) for c in rule._converters.values())]


def _plain_get_rules():
    return [rule for rule in _app().url_map.iter_rules()
            if not rule.arguments and "GET" in rule.methods and rule.endpoint not in SKIP]


def _url(rule, value):
    def part(match):
        name = match.group(2)
        return value if isinstance(rule._converters[name], ids.IdConverter) else SAMPLES.get(name, "x")
    return re.sub(r"<(?:([a-z_]+)(?:\([^)]*\))?:)?([a-z_]+)>", part, rule.rule)


def test_no_route_takes_a_plain_int():
    """One converter for ids: a plain <int:...> would let 2**63 reach SQLite again."""
    for rule in _app().url_map.iter_rules():
        assert not any(type(c).__name__ == "IntegerConverter" for c in rule._converters.values()), rule.rule
    assert len(_id_rules()) >= 12


@pytest.mark.parametrize("rule", _id_rules(), ids=lambda rule: rule.rule)
def test_ids_beyond_sqlite_are_never_a_server_error(client, admin, rule):
    """Issue 14 item 15: /admin/sites/9223372036854775808 and its kind answered 500."""
    method = "GET" if "GET" in rule.methods else "POST"
    for value in VALUES:
        url = _url(rule, value)
        response = client.open(url, method=method)
        assert response.status_code < 500, (url, response.status_code)
        if not re.fullmatch(r"[0-9]+", value) or int(value) >= 2**63:
            assert response.status_code == 404, url


@pytest.mark.parametrize("rule", _plain_get_rules(), ids=lambda rule: rule.rule)
def test_integer_filters_beyond_sqlite_are_never_a_server_error(client, admin, rule):
    """region_id=2**63 on /admin/sites/, /admin/labels, /admin/assign and /admin/exports/* answered 500."""
    for name in INT_PARAMS:
        for value in VALUES:
            response = client.get(rule.rule, query_string={name: value})
            assert response.status_code < 500, (rule.rule, name, value, response.status_code)


@pytest.mark.parametrize("text, expected", [("12", 12), (str(2**63 - 1), 2**63 - 1), ("", None), (None, None),
                                            (str(2**63), None), ("1e3", None), ("²", None), ("-5", -5)])
def test_optional_id(text, expected):
    assert ids.optional_id(text) == expected


@pytest.mark.parametrize("value", [str(2**63), str(10**30), "-1", "²"])
def test_integer_form_fields_beyond_sqlite_are_refused_not_a_server_error(client, admin, make, value):
    """IntegerField and SelectField(coerce=int) posts: pupils, crews, regions, bulk approval."""
    inst = make.installation()
    site = make.institution()
    edit = {"type": "school", "name_ru": "Школа", "lat": "42.9", "lon": "71.4", "pupils": value}
    posts = [
        (f"/admin/sites/{site}", edit),
        (f"/admin/sites/installations/{inst}/crew", {f"w{inst}-technicians": value}),
        ("/admin/users/new", {"username": "new1", "name": "N", "role": "supervisor", "language": "ru",
                              "password": "long-enough-pw-1", "regions": value}),
        ("/review/bulk-approve", {"ids": value}),
        ("/admin/assign", {"technicians": value, "mode": "add"}),
    ]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, response.status_code)
