"""QR tags: genuine codes verify without the database; forged, mistyped, revoked and unknown-key ones fail."""

import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from fieldapp import records
from fieldapp import store
from fieldapp import tags

KEYS = {1: "old-key", 2: "new-key"}
TEST_KEYS = {1: "test-tag-key-1"}


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


def _scans(installation_id, codes):
    return [{"type": "scan", "id": str(uuid.uuid4()), "installation_id": installation_id,
             "device_time": "2026-11-20T10:00:00Z", "data": {"code": code}} for code in codes]


def _codes(response):
    return [r.get("code", r["status"]) for r in response["results"]]


@pytest.fixture
def scan_setup(db, make):
    """Two technicians on one installation whose institution has a genuine tag."""
    tech, other = make.user("technician"), make.user("technician")
    inst = make.installation([tech, other])
    institution = store.scalar(db, "SELECT institution_id FROM installations WHERE id = ?", [inst])
    return tech, other, inst, tags.issue(db, TEST_KEYS, institution)


def test_guessing_the_check_is_throttled_per_technician(db, scan_setup):
    """Issue 14 item 13: 3,000 random checks on a real tag ID were refused without slowing down."""
    tech, other, inst, genuine = scan_setup
    guesses = [genuine[:9] + _flip(genuine[9:], i % 6) for i in range(tags.FAILURE_LIMIT + 10)]
    first = records.store_batch(db, tech, str(uuid.uuid4()), _scans(inst, guesses), TEST_KEYS)
    limit = tags.FAILURE_LIMIT
    assert _codes(first) == ["tag_invalid"] * limit + ["tag_attempts_exceeded"] * 10
    assert first["results"][-1]["params"]["retry_after_s"] > 0
    # a later batch, even with the right code, is refused too: a lucky guess would be too
    later = records.store_batch(db, tech, str(uuid.uuid4()), _scans(inst, [genuine]), TEST_KEYS)
    assert _codes(later) == ["tag_attempts_exceeded"]
    # another technician's valid scan is unaffected
    theirs = records.store_batch(db, other, str(uuid.uuid4()), _scans(inst, [genuine]), TEST_KEYS)
    assert _codes(theirs) == ["stored"]
    assert db["tag_failures"].count == limit


def test_throttle_window_slides(db, scan_setup):
    tech, _other, inst, genuine = scan_setup
    for _ in range(tags.FAILURE_LIMIT):
        tags.note_failure(db, tech["id"], inst, "check")
    now = datetime.now(UTC)
    assert tags.throttled_for(db, tech["id"], now) > 0
    assert tags.throttled_for(db, tech["id"], now + tags.FAILURE_WINDOW + timedelta(seconds=1)) == 0


def test_a_few_typos_do_not_throttle(db, scan_setup):
    tech, _other, inst, genuine = scan_setup
    typos = [genuine[:-1] + _flip(genuine, 14)[-1]] * (tags.FAILURE_LIMIT - 1)
    response = records.store_batch(db, tech, str(uuid.uuid4()), _scans(inst, [*typos, genuine]), TEST_KEYS)
    assert _codes(response)[-1] == "stored"
