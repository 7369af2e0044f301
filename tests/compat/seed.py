"""The sites a recorded phone session worked on, built the same way for recording and replay."""

from fieldapp import installations
from fieldapp import store
from fieldapp import tags


def seed_sites(db, make, tag_keys, tag_rows=None):
    """A technician 'tech' with two sites and one tag each; recorded tag rows are reused as given.

    Tag IDs are random when issued, so a replay inserts the recorded rows verbatim; everything
    else (users, places, installations) comes out with the same ids from a fresh database.
    """
    tech = make.user("technician", username="tech")
    a = make.installation([tech], type="school")
    b = make.installation([tech], type="akimat")
    if tag_rows is None:
        codes = [tags.issue(db, tag_keys, installations.get(db, s)["institution_id"]) for s in (a, b)]
        tag_rows = [store.one(db, "SELECT * FROM tags WHERE id = ?", [c[:8]]) for c in codes]
        code_a = codes[0]
    else:
        with store.write(db):
            db["tags"].insert_all(tag_rows)
        code_a = None
    return {"tech": tech, "a": a, "b": b, "code_a": code_a,
            "fixture": {"tags": tag_rows, "installations": [a, b], "technician_id": tech["id"]}}
