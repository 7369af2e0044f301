"""The phone's photo encoding in Chromium: WebP where the canvas makes it, the review page showing
the WebP itself as the display version (thumbnail JPEG); JPEG q0.72 where the canvas cannot
(Safari before 17 answers a WebP request with a PNG: forced here on toBlob)."""

import pytest
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import phone_photo
from browser_helpers import sign_in
from playwright.sync_api import expect

from fieldapp import blobstore
from fieldapp import installations
from fieldapp import store
from fieldapp.evidence import photo

# What Safari < 17 does: toBlob("image/webp") silently encodes a PNG. Counted, so the test can
# see a phone that learnt this asks for WebP no more.
NO_WEBP = """(() => {
  const real = HTMLCanvasElement.prototype.toBlob;
  window.webpAsked = 0;
  HTMLCanvasElement.prototype.toBlob = function (callback, type, quality) {
    if (type === "image/webp") { window.webpAsked += 1; return real.call(this, callback, "image/png"); }
    return real.call(this, callback, type, quality);
  };
})()"""


@pytest.fixture
def site(make):
    tech = make.user("technician", username="tech")
    make.user("supervisor", username="sup", regions=["KZ-31"])
    return make.installation([tech], region="KZ-31")


def take_photos(browser, live_server, site, tmp_path, count=1, init_script=None):
    """Take `count` shots on a 360 px phone; wait until each is on the server. The page."""
    context = browser.new_context(**PHONE, service_workers="block")
    if init_script:
        context.add_init_script(script=init_script)
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url, worker=False)
    page.goto(f"{page.url.split('#')[0]}#/site/{site}/photos")
    for n in range(count):
        card = page.locator(".shot").nth(n)
        card.locator("input[type=file]").set_input_files(str(phone_photo(tmp_path / f"{n}.jpg", seed=n)))
        expect(card).to_contain_text("on the server", timeout=20_000)
    return page


def photos(db):
    return db.execute("SELECT id, mime, width, height FROM photos ORDER BY received_at").fetchall()


def test_a_phone_photo_goes_as_webp_and_the_review_shows_it_as_sent(
    browser, live_server, app, db, site, tmp_path
):
    take_photos(browser, live_server, site, tmp_path).context.close()
    [(photo_id, mime, width, height)] = photos(db)
    assert (mime, width, height) == ("image/webp", 1600, 1200)
    installations.transition(db, site, "submitted")
    page = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US").new_page()
    page.goto(f"{live_server.url}/login")
    page.fill("#username", "sup")
    page.fill("#password", "pw")
    page.click("button[type=submit]")
    served = {}  # path -> Content-Type of every photo version the page fetched
    page.on(
        "response",
        lambda r: (
            served.update({r.url.removeprefix(live_server.url): r.headers["content-type"]})
            if "/photos/" in r.url
            else None
        ),
    )
    page.goto(f"{live_server.url}/review/{site}")
    thumb = page.locator(f"#photo-{photo_id} > a img")
    thumb.scroll_into_view_if_needed()
    expect(thumb).to_have_js_property("complete", True)
    assert thumb.evaluate("img => img.naturalWidth") == 320
    assert served[f"/photos/{photo_id}/thumb"] == "image/jpeg"
    # The markup overlay's display image in the photo's return item, shown once ticked.
    page.locator(f"#photo-{photo_id} .return-tick input").check()
    marked = page.locator(f"#photo-{photo_id} .markup img")
    marked.scroll_into_view_if_needed()
    expect(marked).to_have_js_property("complete", True)
    assert marked.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [1600, 1200]
    assert served[f"/photos/{photo_id}/display"] == "image/webp"
    with page.expect_response(f"**/photos/{photo_id}/display") as display_response:
        thumb.click()  # the thumbnail opens the display version: the upload itself
    assert display_response.value.body() == stored_original(app, db, photo_id)
    shown = page.locator("img")
    expect(shown).to_have_js_property("complete", True)
    assert shown.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [1600, 1200]
    page.context.close()


def stored_original(app, db, photo_id):
    """The uploaded bytes as the server keeps them."""
    row = store.one(db, "SELECT * FROM photos WHERE id = ?", [photo_id])
    with blobstore.from_config(app.config).open(photo.variant_key(row, "original")) as blob:
        return blob.read()


def test_a_canvas_without_webp_sends_jpeg_and_stops_asking(browser, live_server, db, site, tmp_path):
    page = take_photos(browser, live_server, site, tmp_path, count=2, init_script=NO_WEBP)
    assert [(mime, max(width, height)) for _, mime, width, height in photos(db)] == [("image/jpeg", 1600)] * 2
    assert page.evaluate("window.webpAsked") == 1  # the second photo went straight to JPEG
    page.context.close()
