"""After the camera reads the tag, its box and "point the camera" go (issue 15): the hint used
to stay under a black video box, as if nothing had been read."""

from browser_helpers import FAKE_CAMERA_ARGS
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import qr_image
from browser_helpers import sign_in
from browser_helpers import write_y4m
from playwright.sync_api import expect

from fieldapp import installations
from fieldapp import tags


def test_a_read_tag_leaves_only_the_result_on_show(launch_browser, browser_type_launch_args, live_server,
                                                   app, db, make, tmp_path):
    tech = make.user("technician", username="tech")
    site = make.installation([tech])
    code = tags.issue(db, app.config["TAG_KEYS"], installations.get(db, site)["institution_id"])
    camera = write_y4m(tmp_path / "tag.y4m", qr_image(tags.url(app.config["TAG_URL_PREFIX"], code)))
    args = [*browser_type_launch_args.get("args", []), *FAKE_CAMERA_ARGS,
            f"--use-file-for-fake-video-capture={camera}"]
    browser = launch_browser(args=args)
    context = browser.new_context(**PHONE, service_workers="block", permissions=["camera"])
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url, worker=False)
    page.goto(f"{live_server.url}/tech/app#/site/{site}/scan")
    expect(page.locator(".scan-ok")).to_be_visible(timeout=20_000)
    expect(page.locator(".scan-video")).to_be_hidden()
    expect(page.locator(".scan-message")).to_be_hidden()
    context.close()
