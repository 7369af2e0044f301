"""Submitting at 360 px (issue 15): the checklist names a failing splice and too few speed runs
before a site goes; the technician submits past them only by ticking that they saw them, and
never past a warning the profile makes a blocker."""

import json

from playwright.sync_api import expect
from review_evidence import Evidence
from review_evidence import speed
from review_evidence import splice

from fieldapp import accounts
from tests.test_technician_browser import app_page  # noqa: F401  (fixtures)
from tests.test_technician_browser import goto
from tests.test_technician_browser import phone_page  # noqa: F401
from tests.test_technician_browser import sites  # noqa: F401


def failing_site(app, db, site):
    tech = accounts.get_user(db, db.execute("SELECT id FROM users WHERE username = 'tech'").fetchone()[0])
    Evidence(db, app.config).batch(tech, splice(site, slot=4, losses=(0.68, 0.68, 0.66, 0.66)),
                                   speed(site, runs=2))


def pulled(page, site):
    """Reload and wait until the pull brought the site's new records (the site screen redraws)."""
    page.reload()
    page.wait_for_selector("body[data-ready='1']", state="attached")
    goto(page, f"#/site/{site}")
    expect(page.locator("p.checklist")).to_contain_text("1 splices", timeout=15_000)


def test_a_failing_splice_and_too_few_runs_are_named_before_submitting(app_page, sites, app, db):  # noqa: F811
    page = app_page
    failing_site(app, db, sites["a"])
    pulled(page, sites["a"])
    goto(page, f"#/site/{sites['a']}/submit")
    warnings = page.locator(".submit-warnings li")
    expect(warnings.filter(has_text="Splices over target")).to_contain_text("MUF-1 · Tray 1 · Slot 4")
    expect(warnings.filter(has_text="Speed test not passed")).to_contain_text("more speed test runs needed")
    button = page.locator("[name=submit]")
    expect(button).to_be_disabled()
    box = page.locator(".submit-warnings label.check").bounding_box()
    assert box["height"] >= 48
    page.check("[name=acknowledge]")
    expect(button).to_be_enabled()
    button.click()
    expect(page.get_by_text("Submitted. It will be sent")).to_be_visible()
    expect(page.locator("#outbox")).to_have_attribute("data-records", "0", timeout=20_000)
    stored = json.loads(db.execute("SELECT warnings FROM submissions").fetchone()[0])
    assert stored == ["missing_shots", "failing_splices", "speed_not_passed", "tag_not_scanned", "no_ont",
                      "no_handover"]


def test_a_warning_the_profile_makes_a_blocker_cannot_be_submitted_past(app_page, sites, app, db):  # noqa: F811
    page = app_page
    failing_site(app, db, sites["a"])
    profile_id, rules = db.execute("SELECT id, rules FROM acceptance_profiles WHERE active = 1").fetchone()
    rules = {**json.loads(rules), "submit": {"blocking": ["failing_splices"]}}
    db.execute("UPDATE acceptance_profiles SET rules = ? WHERE id = ?", [json.dumps(rules), profile_id])
    db.conn.commit()
    pulled(page, sites["a"])
    goto(page, f"#/site/{sites['a']}/submit")
    expect(page.locator(".submit-warnings h2")).to_have_text("This site cannot be submitted yet")
    blocker = page.locator(".submit-warnings li", has_text="Splices over target")
    expect(blocker).to_contain_text("must be fixed")
    expect(page.locator("[name=acknowledge]")).to_have_count(0)
    expect(page.locator("[name=submit]")).to_be_disabled()
