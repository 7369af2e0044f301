"""QR tags: genuine codes verify without the database; forged, mistyped, revoked and unknown-key ones fail."""

import pytest

from fieldapp import tags

KEYS = {1: "old-key", 2: "new-key"}


def _flip(code, index):
    """The code with one character changed to another valid one (a typo or a forgery)."""
    other = tags.ALPHABET[(tags.ALPHABET.index(code[index]) + 1) % len(tags.ALPHABET)]
    return code[:index] + other + code[index + 1 :]


def test_genuine_code_verifies_in_every_written_form():
    code = tags.encode(KEYS, "ABCD2345", 2)
    assert len(code) == 15 and set(code) <= set(tags.ALPHABET)
    for form in (
        code,
        tags.human(code),
        tags.url("HTTPS://FIELDAPP.KZ/T/", code),
        code.lower(),
        f" {code}/ ",
    ):
        assert tags.verify(KEYS, form) == "ABCD2345"


def test_url_fits_qr_alphanumeric_mode():
    text = tags.url("HTTPS://FIELDAPP.KZ/T/", tags.encode(KEYS, "ABCD2345", 2))
    assert set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


@pytest.mark.parametrize("index", range(15))
def test_any_single_wrong_character_is_refused(index):
    code = tags.encode(KEYS, "ABCD2345", 2)
    with pytest.raises(tags.TagError) as refused:
        tags.verify(KEYS, _flip(code, index))
    assert refused.value.reason in ("check", "key")


@pytest.mark.parametrize(("typed", "meant"), [("O", "0"), ("I", "1"), ("L", "1")])
def test_lookalike_letters_read_as_the_digits_people_meant(typed, meant):
    code = tags.encode(KEYS, f"AB{meant}D2345", 1)
    assert tags.verify(KEYS, code.replace(meant, typed, 1)) == f"AB{meant}D2345"


def test_forged_code_with_made_up_check_is_refused():
    with pytest.raises(tags.TagError) as refused:
        tags.verify(KEYS, "ABCD23452ZZZZZZ")
    assert refused.value.reason == "check"


@pytest.mark.parametrize("text", ["", "ABC", "ABCD2345-2XXXXXX-EXTRA", "ABCD!3452ZZZZZZ", "HTTPS://X/T/"])
def test_malformed_codes_are_refused_as_format(text):
    with pytest.raises(tags.TagError) as refused:
        tags.verify(KEYS, text)
    assert refused.value.reason == "format"


def test_old_key_version_verifies_while_kept_and_is_refused_once_dropped():
    old_code = tags.encode(KEYS, "01DTAG12", 1)
    assert tags.verify(KEYS, old_code) == "01DTAG12"
    with pytest.raises(tags.TagError) as refused:
        tags.verify({2: "new-key"}, old_code)
    assert refused.value.reason == "key"


def test_same_id_under_another_key_is_refused():
    forged = tags.encode({1: "attacker-key"}, "ABCD2345", 1)
    with pytest.raises(tags.TagError):
        tags.verify(KEYS, forged)


def test_issue_signs_with_newest_key_and_reissue_revokes_the_old_tag(db, make):
    institution = make.institution()
    first = tags.issue(db, KEYS, institution)
    assert first[8] == tags.ALPHABET[2]
    assert tags.resolve(db, KEYS, first)["institution_id"] == institution
    second = tags.issue(db, KEYS, institution)
    assert tags.active_code(db, KEYS, institution) == second
    with pytest.raises(tags.TagError) as refused:
        tags.resolve(db, KEYS, first)
    assert refused.value.reason == "revoked"
    assert tags.resolve(db, KEYS, tags.human(second))["institution_id"] == institution


def test_genuine_code_never_issued_is_unknown(db):
    with pytest.raises(tags.TagError) as refused:
        tags.resolve(db, KEYS, tags.encode(KEYS, "ZZZZZZZZ", 2))
    assert refused.value.reason == "unknown"


def test_issue_missing_tags_only_active_untagged_institutions(db, make):
    tagged, untagged, inactive = make.institution(), make.institution(), make.institution(active=0)
    code = tags.issue(db, KEYS, tagged)
    assert tags.issue_missing(db, KEYS) == 1
    assert tags.active_code(db, KEYS, tagged) == code
    assert tags.active_code(db, KEYS, untagged) is not None
    assert tags.active_code(db, KEYS, inactive) is None
    assert tags.issue_missing(db, KEYS) == 0
