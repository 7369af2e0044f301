"""A supervisor on a 360 px phone returns a photo by the tick on its own card, not in a list
below the page: the item returned is the one ticked, and a missing reason is said on that card.
(The last test reads the page's HTML without a browser.)

Set REVIEW_SCREENSHOTS=/some/dir to keep screenshots (Russian) for looking at.
"""

import os
import re

from playwright.sync_api import expect

from fieldapp import profiles
from tests.review_evidence import Evidence
from tests.review_evidence import jpeg
from tests.review_evidence import record
from tests.review_evidence import speed
from tests.review_evidence import splice
from tests.test_review_browser import site  # noqa: F401  (fixture)

SHOTS = os.environ.get("REVIEW_SCREENSHOTS")
PHONE = {"viewport": {"width": 360, "height": 800}, "is_mobile": True, "has_touch": True, "locale": "ru-RU"}


def snap(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def inside(inner, outer):
    a, b = inner.bounding_box(), outer.bounding_box()
    return (b["x"] <= a["x"] and a["x"] + a["width"] <= b["x"] + b["width"]
            and b["y"] <= a["y"] and a["y"] + a["height"] <= b["y"] + b["height"])


def test_a_photo_is_returned_by_the_tick_on_its_card(browser, live_server, db, site):  # noqa: F811
    db.execute("UPDATE users SET language = 'ru' WHERE username = 'sup'")
    db.conn.commit()
    power = site["shots"]["power"]["id"]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", "sup")
    page.locator("button[type=submit]").click()
    page.goto(f"{live_server.url}/review/{site['flawed']}")
    card = page.locator(f"#photo-{power}")
    tick = card.locator(".return-item label.check")
    assert inside(tick, card)  # the tick is on the photo it returns
    assert tick.bounding_box()["height"] >= 48
    assert card.locator(".return-item input[type=checkbox]").bounding_box()["width"] >= 28
    chip = card.locator("label.chip", has_text="Размыто")
    expect(chip).to_be_hidden()  # a photo nothing flagged shows its reasons once ticked
    tick.tap()
    expect(chip).to_be_visible()
    assert card.bounding_box()["width"] > 300  # a ticked photo opens across the row
    page.locator("button.danger").tap()  # no reason yet

    card = page.locator(f"#photo-{power}")
    error = card.locator(".return-item.has-error .error")
    expect(error).to_have_text("Укажите причину возврата.")
    assert page.locator(".return-item.has-error").count() == 1
    reason = card.locator(".return-why input[type=text]")
    expect(reason).to_be_focused()
    expect(reason).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    snap(page, "phone-tick-error-ru")
    card.locator("label.chip", has_text="Размыто").tap()
    snap(page, "phone-tick-reason-ru")
    page.locator("button.danger").tap()
    page.locator(".flash-success").wait_for()
    rows = db.execute("SELECT item_kind, item_ref, reason_code FROM returned_items").fetchall()
    assert [tuple(r) for r in rows] == [("photo", power, "blurred")]
    context.close()


def card_html(page, start):
    """The HTML of the photo card that begins with `start`, up to the next card."""
    begin = page.index(start)
    return page[begin:page.find('<li class="photo-card', begin + 1)]


def test_every_return_tick_is_on_its_own_card_or_row_and_in_the_return_form(client, auth, db, app, make):
    """Without JavaScript too: the ticks sit in the evidence sections, bound by form= to the
    one return form, and a missing required photo has a card to return it."""
    tech = make.user("technician", "tech")
    make.user("supervisor", "sup", regions=["KZ-31"])
    inst = make.installation([tech])
    ev = Evidence(db, app.config)
    shots = {shot: ev.photo(tech, inst, shot, jpeg(200 + n))  # every required photo but "power"
             for n, shot in enumerate(profiles.required_shots(profiles.get(db, 1)["rules"], "school"))
             if shot != "power"}
    ev.equipment(tech, inst, "HWTC0000ABCD")
    ev.batch(tech, ev.scan(inst), splice(inst), speed(inst), record("submission", inst, comment=""))
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    serial = shots["ont_serial"]["id"]
    assert f'data-item="photo:{serial}"' in card_html(page, f'id="photo-{serial}"')
    missing = card_html(page, '<li class="photo-card card-fail missing-shot">')
    assert 'data-item="shot:power"' in missing and "Missing photo: Power supply and socket" in missing
    row = page[page.index('id="equipment-'):]
    under = row[row.index("</tr>"):]
    assert re.match(r'</tr>\s*<tr class="return-row', under)  # the row right under the device's
    assert 'data-item="equipment:' in under[:under.index("</tr>", 5)]
    assert 'data-item="handover:"' in page
    form = page.index('id="return-form"')
    assert page.count('data-item="') == page[:form].count('data-item="')  # none in a list below
    fields = re.findall(r'<input type="[a-z]+"( form="[^"]+")? name="items-', page)
    assert fields and set(fields) == {' form="return-form"'}  # every item's field, outside the form
