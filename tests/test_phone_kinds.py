"""The phone's list of evidence kinds (static/js/kinds.js) is whole: every kind has its screen
module, its name in Kazakh, Russian and English, its route in the docs, and no other phone
module keeps a list of kinds of its own that could fall out of step with it."""

import pathlib
import re

import pytest

JS = pathlib.Path(__file__).parent.parent / "static" / "js"
DOCS = pathlib.Path(__file__).parent.parent / "docs"
FIELDS = {
    "screen": r'screen: "(\w+)"',
    "label": r'label: "(\w+)"',
    "module": r'load: \(\) => import\("\./([\w/]+\.js)"\)',
    "title": r'tile: \{ title: "(\w+)"',
}


def kinds():
    """Each entry of KINDS as {type, screen, label, module, title}, read from the source
    (a part an entry lacks is None, and the tests below say which)."""
    source = (JS / "kinds.js").read_text()
    listing = source[source.index("export const KINDS = ["):]
    listing = listing[:listing.index("\n];")]
    found = []
    for entry in re.split(r"\n  (?=\{ type: )", listing)[1:]:
        kind = {"type": re.match(r'\{ type: "(\w+)"', entry)[1]}
        for name, pattern in FIELDS.items():
            match = re.search(pattern, entry)
            kind[name] = match[1] if match else None
        found.append(kind)
    return found


KINDS = kinds()
TYPES = [kind["type"] for kind in KINDS]
# A kind with a tile has a screen of its own; one without is attached on another kind's screen
# (an OTDR trace on its closure's splices).
OWN = [kind for kind in KINDS if kind["title"]]


def test_the_list_is_read():
    assert {"photo", "splice", "scan", "speed_test", "note", "submission"} <= set(TYPES)
    assert len(TYPES) == len(set(TYPES))
    assert len({kind["screen"] for kind in OWN}) == len(OWN)
    for kind in KINDS:
        assert kind["title"] or kind["screen"] in {own["screen"] for own in OWN}, kind["type"]


@pytest.mark.parametrize("kind", KINDS, ids=TYPES)
def test_each_kind_has_a_screen_module_that_renders(kind):
    assert kind["module"], f"{kind['type']}: no load: () => import(\"./<screen module>.js\")"
    module = JS / kind["module"]
    assert module.exists(), f"{kind['type']}: {module} is missing"
    assert re.search(r"^export (async )?function render\(container, ", module.read_text(), re.M)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_each_kind_is_named_in_every_language(client, language):
    shown = client.get("/tech/messages.json", headers={"Accept-Language": language}).get_json()
    english = client.get("/tech/messages.json", headers={"Accept-Language": "en"}).get_json()
    for kind in KINDS:
        for key in (kind["label"], kind["title"]) if kind in OWN else (kind["label"],):
            assert key, f"{kind['type']}: no label or tile title in kinds.js"
            assert shown.get(key), f"{kind['type']}: no message {key!r} in {language}"
            if language != "en":
                assert shown[key] != english[key], f"{kind['type']}: {key!r} is not translated to {language}"


@pytest.mark.parametrize("kind", KINDS, ids=TYPES)
def test_each_kinds_screen_is_documented(kind):
    assert f"#/site/<id>/{kind['screen']}" in (DOCS / "technician.md").read_text()


# The lists the phone kept before kinds.js, and what gave each away.
SCREENS = "|".join(kind["screen"] for kind in KINDS)
OLD_LISTS = [
    ("app.js", r"site\\/\(\\d\+\)\\/(" + SCREENS + r")\$/"),  # a route written out per kind
    ("batches.js", r"\bPLURAL\b"),
    ("panel.js", r"\bFIX_SCREEN\b"),
    ("screens.js", r"\bconst target\b"),
    ("outbox.js", r"\bSUPERSEDING\b"),
    ("outbox.js", r"\bannouncePhoto\b"),  # the upload welded to photos
    ("panel.js", r"`kind_\$\{"),  # labels made up beside kinds.js
    ("screens.js", r"`kind_\$\{"),
    ("sitedata.js", r'pick\("speed_tests"'),
]


@pytest.mark.parametrize(("module", "pattern"), OLD_LISTS, ids=[f"{m}:{p}" for m, p in OLD_LISTS])
def test_no_module_keeps_its_own_list_of_kinds(module, pattern):
    assert not re.search(pattern, (JS / module).read_text()), f"{module} lists kinds itself ({pattern})"


BY_KIND = ["app.js", "batches.js", "panel.js", "screens.js", "outbox.js", "sitedata.js"]


@pytest.mark.parametrize("module", BY_KIND)
def test_the_modules_that_go_by_kind_read_kinds_js(module):
    assert re.search(r'^import .* from "\./kinds\.js";$', (JS / module).read_text(), re.M)


def test_one_current_record_rule_and_one_dom_helper():
    sources = {path.relative_to(JS).as_posix(): path.read_text() for path in JS.rglob("*.js")}
    assert [name for name, text in sources.items() if "function current(" in text] == ["current.js"]
    assert not (JS / "speed" / "dom.js").exists()
    assert [name for name, text in sources.items() if "PARKED_RETRY_MS = " in text] == ["retry.js"]
