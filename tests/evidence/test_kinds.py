"""Every kind of evidence has every part, so a new kind cannot be half wired.

Datasette's test_docs.py is the model: a list the code holds is checked against what the
stages, templates, catalogs and docs hold, and a missing piece fails here, not in the field.
"""

import pathlib
import re

import pytest
from babel.messages.pofile import read_po

from fieldapp.evidence import current
from fieldapp.evidence import kinds
from fieldapp.evidence.kinds import KINDS

ROOT = pathlib.Path(__file__).parent.parent.parent
NAMES = ("TYPE", "TABLE", "LABEL", "COUNTS", "ORDER", "PULLED", "ITEMS", "RULE_LABELS", "MESSAGES",
         "checks", "public", "review_row")
IDS = [kind.TYPE for kind in KINDS]


def catalog(language):
    with open(ROOT / "fieldapp" / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_kind_has_every_part(kind):
    missing = [name for name in NAMES if not hasattr(kind, name)]
    assert missing == []
    file_parts = ("announce_fields", "stored", "STABLE", "VARIANTS", "MAX_BYTES", "OPTIONS")
    sends = hasattr(kind, "row") or all(hasattr(kind, name) for name in file_parts)
    assert sends, "a kind is validated either as a batch record (row) or as a file (announce_fields, stored)"
    assert kinds.by_type(kind.TYPE) is kind and kinds.by_table(kind.TABLE) is kind


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_kind_has_its_table_and_its_current_records(kind, db):
    assert kind.TABLE in db.table_names()
    columns = set(db[kind.TABLE].columns_dict)
    assert {"id", "installation_id", "replaces", "received_at", "content_hash"} <= columns
    db.execute(f"SELECT * FROM {kind.TABLE} WHERE {current.condition(kind)}").fetchall()


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_kind_has_a_review_partial(kind):
    assert (ROOT / "templates" / "review" / "kinds" / f"_{kind.TYPE}.html").is_file()


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_kind_is_named_in_kazakh_and_russian(kind, language):
    strings = catalog(language)
    labels = [kind.LABEL, *kind.RULE_LABELS.values(), *getattr(kind, "ITEM_LABELS", {}).values()]
    assert [label for label in labels if not strings.get(label)] == []


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_a_kind_is_documented_in_the_api(kind):
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert re.search(rf"^### `{kind.TYPE}`", api, re.MULTILINE), f"docs/api.md lacks `{kind.TYPE}`"


@pytest.mark.parametrize("kind", [k for k in KINDS if hasattr(k, "row")], ids=lambda k: k.TYPE)
def test_a_batch_kind_is_taken_by_the_sync_api(kind):
    from fieldapp import records

    with pytest.raises(Exception) as refused:
        records.envelope({"type": kind.TYPE, "id": "not-a-uuid", "installation_id": 1, "data": {}})
    assert getattr(refused.value, "params", {}).get("field") == "id"  # past the type check


def test_the_stages_keep_no_list_of_kinds_of_their_own():
    """The old per-stage lists are gone: a stage that spells out kinds again fails here."""
    pattern = re.compile(r"""\(\s*"(photos|splices)",\s*"(splices|scans|speed_tests|photos)",""")
    offenders = [path.name for path in (ROOT / "fieldapp").glob("*.py") if pattern.search(path.read_text())]
    assert offenders == []


def test_every_returnable_item_belongs_to_a_kind():
    assert set(kinds.item_rules()) == {"photo", "shot", "splice", "speed_test", "scan", "note",
                                         "trace", "equipment", "handover"}
    assert set(kinds.item_rules()) <= set(kinds.item_labels())
