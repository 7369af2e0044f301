"""My sites says the same on the server and on the phone: fieldapp/checklist.py and
static/js/checklist.js judge the same pulled installations alike (issue 15: the server said
"speed test done" where the phone said "speed below the contract")."""

import json

from review_evidence import Evidence
from review_evidence import record
from review_evidence import speed
from review_evidence import splice

from fieldapp import checklist
from fieldapp import decisions
from fieldapp import pull

JS = """async (answer) => {
  const { checklist } = await import("/static/js/checklist.js");
  const { localView } = await import("/static/js/sitedata.js");
  return answer.installations.map((site) => checklist(site, localView(site, [], []), answer.profiles));
}"""


def test_the_phone_and_the_server_judge_every_site_alike(page, live_server, app, db, make):
    tech = make.user("technician", username="tech")
    reviewer = make.user("supervisor", username="boss", regions=("KZ-31",))
    evidence = Evidence(db, app.config)
    site = {name: make.installation([tech], type=kind) for name, kind in
            [("done", "akimat"), ("slow", "akimat"), ("wifi", "school"), ("short", "school"),
             ("failing", "akimat"), ("returned", "akimat"), ("empty", "school"), ("absent", "school")]}
    evidence.complete(tech, site["done"])
    evidence.batch(tech, speed(site["slow"], down=5.0, up=4.0))
    evidence.batch(tech, speed(site["wifi"], connection="wifi"))
    evidence.batch(tech, speed(site["short"], runs=1), splice(site["short"], attempt=3,
                                                            losses=(0.15, 0.17, 0.14, 0.16)))
    evidence.batch(tech, splice(site["failing"], losses=(0.16, 0.16, 0.1, 0.1)),
                   splice(site["failing"], slot=2, losses=(0.68, 0.68, None, None)))
    shots = evidence.complete(tech, site["returned"], seed=200)
    decisions.return_items(db, site["returned"], reviewer["id"], [
        {"kind": "photo", "ref": shots["power"]["id"], "reason": "Blurred"},
        {"kind": "shot", "ref": "signed_form", "reason": "Unsigned"}])
    evidence.batch(tech, record("handover", site["absent"], outcome="absent", reason_note="Школа закрыта"))
    evidence.equipment(tech, site["absent"], "HWTC0A1B2C3D", device_type="router")
    answer = json.loads(json.dumps(pull.pull(db, tech, lean=True)))  # what the phone receives
    rules = {int(pid): p["rules"] for pid, p in answer["profiles"].items()}
    server = [checklist.summary(row, rules[row["profile_id"]]) for row in answer["installations"]]
    page.goto(f"{live_server.url}/login")
    phone = page.evaluate(JS, answer)
    assert phone == server
    speeds = {row["id"]: s["speed"] for row, s in zip(answer["installations"], server, strict=True)}
    assert [speeds[site[n]] for n in ("done", "slow", "wifi", "short", "empty")] == \
        ["done", "slow", "needs_cable", "more_runs", "missing"]
    assert sum(len(s["failing_splices"]) for s in server) == 2
    assert sum(s["returned"] for s in server) == 2
    # Equipment and the handover (issue 16): an ONT and some handover are needed, a router is no ONT.
    found = {row["id"]: s for row, s in zip(answer["installations"], server, strict=True)}
    assert [(found[site[n]]["onts"], found[site[n]]["handover"]) for n in ("done", "empty", "absent")] == \
        [(1, "signed"), (0, None), (0, "absent")]
    assert {"no_ont", "no_handover"} <= set(found[site["empty"]]["warnings"])
    absent = found[site["absent"]]["warnings"]
    assert "no_handover" not in absent and "no_ont" in absent
    assert not {"no_ont", "no_handover"} & set(found[site["done"]]["warnings"])
