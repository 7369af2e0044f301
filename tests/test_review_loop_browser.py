"""The review loop in a real Chromium: a reviewer draws on a returned photo with the mouse at
1280 px; the technician, on a 360 px phone with the network off, sees the drawing over the
photo and the standard reason in Russian, answers, and finds it all in one inbox.

Set REVIEW_SCREENSHOTS=/some/dir to keep screenshots (Russian and Kazakh) for looking at.
"""

import os

import pytest
from browser_helpers import open_app
from browser_helpers import wait_until
from playwright.sync_api import expect

from fieldapp import conversation
from fieldapp import decisions
from fieldapp import markup
from fieldapp import store
from tests.review_evidence import Evidence
from tests.review_evidence import record

SHOTS = os.environ.get("REVIEW_SCREENSHOTS")
PHONE = {"viewport": {"width": 360, "height": 800}, "is_mobile": True, "has_touch": True}
ARROW = [{"type": "arrow", "x1": 0.15, "y1": 0.2, "x2": 0.55, "y2": 0.5},
         {"type": "circle", "x1": 0.5, "y1": 0.4, "x2": 0.8, "y2": 0.8},
         {"type": "label", "x1": 0.1, "y1": 0.9, "x2": 0.1, "y2": 0.9, "text": "S/N"}]


def snap(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def loop_site(app, db, make):
    tech = make.user("technician", "tech", language="ru")
    sup = make.user("supervisor", "sup", password="sup", regions=["KZ-31"])
    inst = make.installation([tech], name_ru="Школа №1 села Акколь", name_kk="Ақкөл ауылының №1 мектебі")
    shots = Evidence(db, app.config).complete(tech, inst)
    return {"inst": inst, "shots": shots, "tech": tech, "sup": sup}


def test_the_reviewer_draws_on_the_photo_with_the_mouse(browser, live_server, db, loop_site):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "favicon" not in m.location["url"] else None)
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", "sup")
    page.locator("button[type=submit]").click()
    page.goto(f"{live_server.url}/review/{loop_site['inst']}")
    serial = loop_site["shots"]["ont_serial"]["id"]
    item = page.locator(f"#photo-{serial} .return-item")  # the tick and reasons on the photo's card
    chip = item.locator("label.chip", has_text="Serial number not readable")
    expect(chip).to_be_hidden()  # nothing flagged this photo: its reasons open once it is ticked
    item.locator("label.check").click()
    chip.click()
    svg = item.locator(".markup.ready svg")
    svg.scroll_into_view_if_needed()
    box = svg.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    for step in range(1, 11):  # a drag, as a hand makes it
        page.mouse.move(box["x"] + box["width"] * (0.2 + 0.04 * step),
                        box["y"] + box["height"] * (0.2 + 0.03 * step))
    page.mouse.up()
    item.locator(".markup-tools button[data-tool=rect]").click()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.7)
    page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.8)
    page.mouse.up()
    item.locator(".markup-tools input.markup-text").fill("S/N здесь")
    item.locator(".markup-tools button[data-tool=label]").click()
    page.mouse.click(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.9)
    assert svg.locator("line").count() == 1 and svg.locator("rect").count() == 1
    snap(page, "laptop-markup")
    page.get_by_role("button", name="Return the chosen items").click()
    page.get_by_text("Returned to the technician").wait_for()
    row = store.one(db, "SELECT * FROM returned_items")
    shapes = markup.loads(row["markup"])
    assert (row["item_ref"], row["reason_code"]) == (serial, "serial_unreadable")
    assert [s["type"] for s in shapes] == ["arrow", "rect", "label"]
    assert shapes[0]["x1"] == pytest.approx(0.2, abs=0.01) and shapes[0]["x2"] == pytest.approx(0.6, abs=0.01)
    assert shapes[1]["y2"] == pytest.approx(0.8, abs=0.01) and shapes[2]["text"] == "S/N здесь"
    assert errors == []
    context.close()


def test_the_technician_sees_the_drawing_offline_answers_and_the_reviewer_closes(
        browser, live_server, app, db, loop_site):
    inst, sup = loop_site["inst"], loop_site["sup"]["id"]
    serial = loop_site["shots"]["ont_serial"]["id"]
    decisions.return_items(db, inst, sup, [
        {"kind": "photo", "ref": serial, "code": "serial_unreadable", "reason": "сфотографируйте ближе",
         "markup": markup.dumps(ARROW)}], added=["Фото второй муфты"])
    context = browser.new_context(**PHONE, locale="ru-RU")
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.fill("#username", "tech")
    page.fill("#password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/tech/sites")
    open_app(page, live_server.url)
    expect(page.locator("a.inbox-link .count")).to_have_text("2")
    wait_until(page, lambda: page.evaluate(
        "new Promise(r => { const q = indexedDB.open('fieldapp'); q.onsuccess = () => {"
        " const g = q.result.transaction('meta').objectStore('meta').get('returned-photos');"
        f" g.onsuccess = () => r((g.result || []).includes('{serial}')); }}; }})"))
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready='1']", state="attached")
    page.goto(f"{live_server.url}/tech/app#/inbox")
    page.locator(".inbox-item").first.wait_for()
    assert page.locator(".inbox-item").count() == 2
    snap(page, "phone-inbox-ru")
    page.locator(".inbox-item", has_text="Серийный номер не читается").click()
    photo = page.locator(f"li[data-item='photo:{serial}'] .marked-photo")
    expect(photo.locator("img")).to_be_visible()
    wait_until(page, lambda: photo.locator("img").evaluate("i => i.complete && i.naturalWidth > 0"))
    assert photo.locator("svg.overlay line").count() == 1
    assert photo.locator("svg.overlay ellipse").count() == 1
    expect(photo.locator("svg.overlay text")).to_have_text("S/N")
    expect(page.locator(f"li[data-item='photo:{serial}'] .reason")).to_have_text(
        "Серийный номер не читается — сфотографируйте ближе")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    snap(page, "phone-items-ru")
    card = page.locator(f"li[data-item='photo:{serial}']")
    card.locator("textarea").fill("Не могу переснять: щитовая закрыта до понедельника")
    card.locator("button[type=submit]").click()
    expect(card.locator(".conversation li.from-field")).to_contain_text("щитовая закрыта")
    assert card.locator("button[type=submit]").bounding_box()["height"] >= 48
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, lambda: store.scalar(db, "SELECT COUNT(*) FROM replies") == 1, 15_000)
    conversation.post(db, inst, sup, "photo", serial, "message", "Хорошо, переснимите в понедельник")
    conversation.post(db, inst, sup, "photo", serial, "close")
    assert decisions.open_items(db, inst) == 1  # the added shot is still to take
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.goto(f"{live_server.url}/tech/app#/site/{inst}/items")
    expect(page.get_by_text("Хорошо, переснимите в понедельник")).to_be_visible(timeout=15_000)
    expect(page.locator(".item h2", has_text="Фото второй муфты")).to_be_visible()
    db.execute("UPDATE users SET language = 'kk' WHERE username = 'tech'")
    db.conn.commit()
    page.goto(f"{live_server.url}/tech/app#/inbox")
    page.reload()
    page.locator(".inbox-item").first.wait_for()
    snap(page, "phone-inbox-kk")
    page.goto(f"{live_server.url}/tech/app#/site/{inst}/photos")
    page.locator("li.shot").first.wait_for()
    snap(page, "phone-photos-kk")
    page.goto(f"{live_server.url}/tech/app#/site/{inst}")
    expect(page.locator("a.tile[href$='/items'] small")).to_have_text("түзету керек: 1")
    expect(page.locator(".returned li")).to_contain_text("(Фото второй муфты)")
    snap(page, "phone-site-kk")
    context.close()


def test_a_supervisor_on_a_phone_reads_the_conversation_in_russian(browser, live_server, app, db, loop_site):
    inst, sup, tech = loop_site["inst"], loop_site["sup"]["id"], loop_site["tech"]
    power = loop_site["shots"]["power"]["id"]
    decisions.return_items(db, inst, sup, [{"kind": "photo", "ref": power, "code": "blurred",
                                            "markup": markup.dumps(ARROW)}])
    ev = Evidence(db, app.config)
    ev.batch(tech, record("reply", inst, item_kind="photo", item_ref=power,
                          text="Щитовая закрыта до понедельника"))
    db.execute("UPDATE users SET language = 'ru' WHERE username = 'sup'")
    db.conn.commit()
    context = browser.new_context(**PHONE, locale="ru-RU")
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", "sup")
    page.locator("button[type=submit]").click()
    page.goto(f"{live_server.url}/review/{inst}#items")
    thread = page.locator(f"li.item-thread[data-item='photo:{power}']")
    expect(thread).to_contain_text("Щитовая закрыта до понедельника")
    expect(thread).to_contain_text("Размыто")
    assert thread.locator(".marked-photo svg.overlay line").count() == 1
    close = thread.get_by_role("button", name="Закрыть пункт")
    assert close.bounding_box()["height"] >= 48
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    snap(page, "phone-review-thread-ru")
    close.click()
    page.get_by_text("Пункт закрыт.").wait_for()
    assert decisions.open_items(db, inst) == 0
    context.close()


def test_a_technician_claims_not_applicable_offline_and_sees_it_approved(browser, live_server, app, db, make):
    tech = make.user("technician", "tech", language="kk")
    sup = make.user("supervisor", "sup", password="sup", regions=["KZ-31"])
    inst = make.installation([tech], name_ru="ФАП села Жанатас")
    context = browser.new_context(**PHONE, locale="kk-KZ")
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.fill("#username", "tech")
    page.fill("#password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/tech/sites")
    open_app(page, live_server.url)
    context.set_offline(True)
    page.goto(f"{live_server.url}/tech/app#/site/{inst}/photos")
    card = page.locator("li.shot[data-shot='power']")
    card.locator("details.na-claim > summary").click()
    card.locator("textarea").fill("ONT мектеп шкафынан қоректенеді, розетка жоқ")
    card.locator("details.na-claim button").click()
    expect(card.locator(".na-state")).to_have_text("Қолданылмайды: тексерушіні күтуде")
    snap(page, "phone-na-pending-kk")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    claims = "SELECT COUNT(*) FROM replies WHERE not_applicable = 1"
    wait_until(page, lambda: store.scalar(db, claims) == 1, 15_000)
    assert conversation.na_states(db, inst) == {"power": "pending"}
    conversation.post(db, inst, sup["id"], "shot", "power", "approve_na")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(card.locator(".na-state")).to_have_text("Қолданылмайды: мақұлданды", timeout=15_000)
    context.close()


def test_a_supervisor_draws_with_a_finger_on_a_phone(browser, live_server, db, loop_site):
    db.execute("UPDATE users SET language = 'kk' WHERE username = 'sup'")
    db.conn.commit()
    context = browser.new_context(**PHONE, locale="kk-KZ")
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", "sup")
    page.locator("button[type=submit]").click()
    page.goto(f"{live_server.url}/review/{loop_site['inst']}")
    power = loop_site["shots"]["power"]["id"]
    item = page.locator(f"#photo-{power} .return-item")  # on the photo's own card
    chip = item.locator("label.chip", has_text="Бұлыңғыр")
    expect(chip).to_be_hidden()  # nothing flagged this photo: its reasons open once it is ticked
    item.locator("label.check").tap()
    assert chip.bounding_box()["height"] >= 48
    chip.tap()
    item.locator(".markup-tools button[data-tool=circle]").tap()
    svg = item.locator(".markup.ready svg")
    svg.scroll_into_view_if_needed()
    box = svg.bounding_box()
    cdp = context.new_cdp_session(page)  # real touch events: Chromium makes the pointer events
    at = lambda fx, fy: [{"x": box["x"] + box["width"] * fx, "y": box["y"] + box["height"] * fy}]  # noqa: E731
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": at(0.3, 0.3)})
    for step in range(1, 9):
        move = at(0.3 + 0.05 * step, 0.3 + 0.05 * step)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": move})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    expect(svg.locator("ellipse")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    snap(page, "phone-review-draw-kk")
    page.locator("button.danger").click()  # (a tap right after CDP's touch sequence is lost)
    page.locator(".flash-success").wait_for()
    shapes = markup.loads(store.scalar(db, "SELECT markup FROM returned_items"))
    assert [s["type"] for s in shapes] == ["circle"]
    assert shapes[0]["x1"] == pytest.approx(0.3, abs=0.02) and shapes[0]["x2"] == pytest.approx(0.7, abs=0.02)
    context.close()
