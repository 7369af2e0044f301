"""static/js/tracematch.js in Chromium: which event of a trace is the closure's splice, and the
losses a fiber's traces give its splice row (issue 12)."""

# A fiber 12 km long; this closure's splice at 3 km from A (9 km from B), another at 7 km.
SETUP = """
const m = await import("/static/js/tracematch.js");
const events = (list) => list.map(([d, loss, type]) =>
  ({ distance_m: d, splice_loss_db: loss, type: type || "non-reflective" }));
const trace = (id, wave, direction, list, extra = {}) => ({ id, cable: "C1", tube: 1, fiber: 1, direction,
  event_m: null, device_time: "2026-11-20T06:00:00.000Z",
  reading: { wavelength_nm: wave, length_m: 12000, events: events(list) }, ...extra });
const AB = [[500, 0.3, "reflective"], [3000, 0.03], [7000, 0.08], [12000, 0, "end"]];
const BA = [[5000, 0.08], [9004, 0.07], [11500, 0.3, "reflective"], [12000, 0, "end"]];
"""


def run(page, live_server, body):
    page.goto(f"{live_server.url}/login")
    return page.evaluate(f"async () => {{ {SETUP} {body} }}")


def test_the_reverse_trace_gets_the_event_at_length_minus_distance(page, live_server):
    found = run(page, live_server, """
        const marked = trace("a", 1310, "ab", AB, { event_m: 3000 });
        return [m.propose(trace("b", 1310, "ba", BA), [marked]).distance_m,
                m.propose(trace("c", 1550, "ab", AB), [marked]).distance_m,
                m.propose(trace("d", 1310, "ba", BA), [marked], 3),
                m.expectedAt(marked, trace("e", 1310, "ba", BA))];
    """)
    assert found == [9004, 3000, None, 9000]  # 4 m off: within 20 m, not within 3


def test_a_hand_made_mark_counts_before_a_proposal_and_the_end_is_never_proposed(page, live_server):
    found = run(page, live_server, """
        const proposed = trace("a", 1310, "ab", AB, { event_m: 7000, proposed: true });
        const hand = trace("b", 1550, "ab", AB, { event_m: 3000, marked_at: "2026-11-20T07:00:00.000Z" });
        return [m.propose(trace("c", 1310, "ba", BA), [proposed, hand]).distance_m,
                m.nearest(trace("d", 1310, "ab", AB), 11990)];
    """)
    assert found == [9004, None]


def test_one_direction_fills_nothing_and_says_what_is_missing(page, live_server):
    found = run(page, live_server, """
        const none = m.lossesFor([trace("a", 1310, "ab", AB), trace("b", 1310, "ba", BA)]);
        const ab = trace("a", 1310, "ab", AB, { event_m: 3000 });
        const one = m.lossesFor([ab]);
        const both = m.lossesFor([ab, trace("b", 1310, "ba", BA, { event_m: 9004 }),
                                  trace("c", 1550, "ab", AB, { event_m: 3000 })]);
        return { none, one, both };
    """)
    assert found["none"]["values"] == {}
    assert found["none"]["missing"][:2] == [{"slot": "loss_1310_ab", "why": "not_marked"},
                                            {"slot": "loss_1310_ba", "why": "not_marked"}]
    assert found["one"]["values"] == {}
    assert found["one"]["missing"] == [{"slot": "loss_1310_ba", "why": "no_trace"},
                                       {"slot": "loss_1550_ab", "why": "no_trace"},
                                       {"slot": "loss_1550_ba", "why": "no_trace"}]
    assert found["both"]["values"] == {"loss_1310_ab": 0.03, "loss_1310_ba": 0.07}  # 1550 A->B alone: not yet
    assert found["both"]["missing"] == [{"slot": "loss_1550_ba", "why": "no_trace"}]


def test_a_trace_sent_unmarked_takes_the_event_matching_the_closures_mark(page, live_server):
    found = run(page, live_server, """
        const ab = trace("a", 1310, "ab", AB, { event_m: 3000 });
        const ba = trace("b", 1310, "ba", BA);  // as the server holds it: only A->B was marked
        const other = trace("c", 1550, "ba", BA, { no_event: true });
        return [m.lossesFor([ab, ba]).values, m.spliceEvent(other, [ab, other])];
    """)
    assert found == [{"loss_1310_ab": 0.03, "loss_1310_ba": 0.07}, None]


def test_a_retest_replaces_the_trace_it_was_shot_for(page, live_server):
    found = run(page, live_server, """
        const first = trace("a", 1310, "ab", AB, { event_m: 3000 });
        const again = trace("b", 1310, "ab", [[3001, 0.02], [12000, 0, "end"]],
                            { event_m: 3001, replaces: "a", device_time: "2026-11-20T05:00:00.000Z" });
        const ba = trace("c", 1310, "ba", BA, { event_m: 9004 });
        return m.lossesFor([first, again, ba]).values;
    """)
    assert found == {"loss_1310_ab": 0.02, "loss_1310_ba": 0.07}


def test_a_typed_loss_differs_only_beyond_the_tolerance(page, live_server):
    cases = [[0.09, 0.03], [0.08, 0.03], [0.05, 0.03], [None, 0.03], [0.03, None], [-0.02, 0.03],
             [-0.03, 0.03]]
    found = run(page, live_server, f"return {cases}.map(([typed, traced]) => m.differs(typed, traced, 0.05));"
                .replace("None", "null"))
    assert found == [True, False, False, False, False, False, True]
