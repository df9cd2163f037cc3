"""The embeddable chat widget (``/widget/widget.js``, docs/widget.md) in Chromium against the whole
local stack: an answer with its sources, confidence and one rating; the ticket prompt (yes, no,
and a ticket that is queued first); keyboard-only use at a phone's width; colour contrast.

The rate limit and the cross-origin embed need a stack of their own: test_widget_limits.py.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import httpx
from playwright.sync_api import Locator, Page, expect

from switchboard.devtools.bench.loopback import wait_until
from switchboard.devtools.standins.base import Fault
from tests.browser.conftest import Live, shot

TITLE = "Acme support"
ANSWERED = "How do I export leads?"  # kb_008, answered confidently
UNKNOWN = "What is the airspeed velocity of an unladen swallow?"  # nothing in the demo KB: escalates
CHAT_PATH = "/api/agent/customer/"


# ---- helpers (test_widget_limits.py uses them too) -----------------------------------------------
def identity(agent_id: str, name: str = "Jane Smith", email: str | None = None) -> dict[str, str]:
    """The demo page's ``user-*`` values for one end user."""
    return {
        "user-id": agent_id,
        "user-name": name,
        "user-email": email or f"{agent_id}@example.com",
        "user-agency": "Sales",
        "user-office": "Cape Town",
    }


def demo_url(base: str, key: str, **values: str) -> str:
    """``/widget/demo.html`` with the key and the widget's attributes in the fragment."""
    return f"{base}/widget/demo.html#" + urlencode({"key": key, "title": TITLE, **values})


def launcher(page: Page, title: str = TITLE) -> Locator:
    return page.get_by_role("button", name=f"Chat with {title}")


def message_box(page: Page) -> Locator:
    return page.get_by_label("Your message")


def last_answer(page: Page) -> Locator:
    """The newest answer of the API (only answers carry a message id)."""
    return page.locator(".row.bot[data-message-id]").last


def open_widget(page: Page, title: str = TITLE) -> Locator:
    launcher(page, title).click()
    panel = page.get_by_role("dialog", name=title)
    expect(panel).to_be_visible()
    expect(message_box(page)).to_be_focused()
    return panel


def ask(page: Page, text: str) -> dict[str, Any]:
    """Type a question, press Enter, and return the chat API's answer as the widget received it."""
    box = message_box(page)
    box.fill(text)
    with page.expect_response(lambda r: r.url.endswith(CHAT_PATH) and r.request.method == "POST") as answered:
        box.press("Enter")
    body: dict[str, Any] = answered.value.json()
    return body


def focused(page: Page) -> dict[str, Any] | None:
    """The widget's focused element: its name and its outline (None when focus is elsewhere)."""
    found: dict[str, Any] | None = page.evaluate(
        """() => {
            const host = document.querySelector("[data-switchboard-widget]");
            const el = host && host.shadowRoot.activeElement;
            if (!el || document.activeElement !== host) return null;
            const style = getComputedStyle(el);
            return {name: el.getAttribute("aria-label") || el.textContent.trim() || el.id,
                    tag: el.tagName.toLowerCase(), outline: style.outlineStyle,
                    width: parseFloat(style.outlineWidth)};
        }"""
    )
    return found


def tab_to(page: Page, name: str, backwards: bool = False, most: int = 25) -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until the widget element called ``name`` has the focus."""
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now and now["name"] == name:
            return now
    raise AssertionError(f"{name!r} never got the focus")


def assert_focus_visible(now: dict[str, Any]) -> None:
    assert now["outline"] not in ("none", "") and now["width"] >= 2, now


CONTRAST = """() => {
    const root = document.querySelector("[data-switchboard-widget]").shadowRoot;
    const parse = (c) => {
        const m = /rgba?\\(([^)]+)\\)/.exec(c);
        if (!m) return null;
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
    };
    const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
    const background = (el) => {
        for (let node = el; node; node = node.parentNode || node.host) {
            if (node.nodeType !== 1) continue;
            const bg = parse(getComputedStyle(node).backgroundColor);
            if (bg && bg.a >= 0.5) return bg;
        }
        return {r: 255, g: 255, b: 255, a: 1};
    };
    const checked = [];
    for (const el of root.querySelectorAll("*")) {
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        const field = el.matches("textarea, input") && el.value;
        if ((!own && !field) || !el.getClientRects().length || el.closest("[hidden]")) continue;
        const fg = luminance(parse(getComputedStyle(el).color)), bg = luminance(background(el));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        checked.push({text: (el.value || el.textContent).trim().slice(0, 200), ratio: Math.round(ratio * 100) / 100});
    }
    return checked;
}"""


def assert_contrast(page: Page, expect_texts: tuple[str, ...] = ()) -> None:
    """Every visible text of the widget has at least 4.5:1 contrast with its background (WCAG AA)."""
    checked: list[dict[str, Any]] = page.evaluate(CONTRAST)
    low = [c for c in checked if c["ratio"] < 4.5]
    assert not low, low
    texts = " | ".join(c["text"] for c in checked)
    for text in expect_texts:  # the check saw the parts that matter
        assert text in texts, (text, texts)


def watch_status(page: Page) -> None:
    """Record every change of the widget's status line, with whether the input was disabled then."""
    page.evaluate(
        """() => {
            const root = document.querySelector("[data-switchboard-widget]").shadowRoot;
            const status = root.querySelector("[role=status]"), input = root.getElementById("sb-input");
            window.__sbStatus = [];
            new MutationObserver(() => window.__sbStatus.push({text: status.textContent, disabled: input.disabled}))
                .observe(status, {childList: true, subtree: true, characterData: true});
        }"""
    )


def ticket_for(live: Live, email: str) -> dict[str, Any] | None:
    found = [t for t in live.stack.freshdesk.tickets if t.get("email") == email]
    assert len(found) <= 1, found
    return found[0] if found else None


def auth(live: Live) -> dict[str, str]:
    return {"Authorization": f"Bearer {live.chat_key}"}


# ---- (a) answer, sources, confidence, one rating ------------------------------------------------
def test_an_answer_shows_its_sources_and_confidence_and_takes_one_rating(page: Page, live: Live) -> None:
    rater = identity("widget-rater", email="rita.rater@example.com", name="Rita Rater")
    page.goto(demo_url(live.base, live.chat_key, **rater))
    open_widget(page)
    watch_status(page)
    feedback_posts: list[str] = []
    page.on("request", lambda r: feedback_posts.append(r.url) if r.url.endswith("/api/feedback") else None)

    body = ask(page, ANSWERED)
    assert not body["requires_escalation"] and [s["entry_id"] for s in body["sources"]] == ["kb_008"]
    answer = last_answer(page)
    expect(answer.locator(".text")).to_have_text(body["response"])
    expect(answer.get_by_role("list")).to_have_text("Exporting Leads to CSV")
    percent = round(body["classification_confidence"] * 100)
    expect(answer.get_by_text(f"Confidence {percent}%", exact=True)).to_be_visible()
    expect(answer.get_by_role("meter")).to_have_attribute("aria-valuenow", str(percent))
    # while waiting: a spinner with a status text, and the input disabled; after: enabled and focused
    seen = page.evaluate("window.__sbStatus")
    assert any(s["text"] == "Waiting for an answer…" and s["disabled"] for s in seen), seen
    expect(answer.locator(".spinner")).to_have_count(0)
    expect(message_box(page)).to_be_enabled()
    expect(message_box(page)).to_be_focused()

    helpful = answer.get_by_role("button", name="Helpful", exact=True)
    unhelpful = answer.get_by_role("button", name="Not helpful", exact=True)
    helpful.click()
    expect(answer.get_by_text("Thanks for your feedback.")).to_be_visible()
    expect(helpful).to_be_disabled()
    expect(unhelpful).to_be_disabled()
    expect(helpful).to_have_attribute("aria-pressed", "true")
    assert_contrast(page, ("Exporting Leads to CSV", f"Confidence {percent}%", "Thanks for your feedback.", TITLE))
    shot(page, "widget-answer")

    # a second rating is impossible: clicks on the disabled buttons send nothing
    helpful.dispatch_event("click")
    unhelpful.dispatch_event("click")
    page.wait_for_timeout(500)
    assert len(feedback_posts) == 1, feedback_posts
    message_id = answer.get_attribute("data-message-id") or ""
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,200}", message_id)
    tenant = live.stack.services.firestore_client.collection("tenants").document("default")
    stored = tenant.collection("feedback").document(message_id).get().to_dict()
    assert stored is not None
    assert stored["feedback_type"] == "helpful" and stored["session_id"] == body["session_id"]
    assert stored["query"] == ANSWERED and stored["response"] == body["response"]
    assert stored["user"] == {"agent_id": "widget-rater", "email": "rita.rater@example.com", "full_name": "Rita Rater"}
    assert stored["sources_used"] == ["Exporting Leads to CSV"] and stored["agent_type"] == "customer"
    again = live.stack.http.post(
        "/api/feedback",
        json={
            "message_id": message_id,
            "session_id": body["session_id"],
            "feedback_type": "unhelpful",
            "query": ANSWERED,
            "response": body["response"],
            "agent_type": "customer",
            "user_info": stored["user"],
        },
        headers=auth(live),
    )
    assert again.status_code == 409

    # the same session goes on; an escalated answer has the ticket prompt and no thumbs
    escalated = ask(page, UNKNOWN)
    assert escalated["requires_escalation"] and escalated["session_id"] == body["session_id"]
    answer = last_answer(page)
    expect(answer.get_by_role("group", name="Would you like me to create a support ticket?")).to_be_visible()
    expect(answer.locator(".feedback, .thumb")).to_have_count(0)
    expect(answer.get_by_text("Confidence 0%", exact=True)).to_be_visible()


# ---- (b) the ticket prompt --------------------------------------------------------------------
def test_yes_on_the_ticket_prompt_shows_the_ticket_number(page: Page, live: Live) -> None:
    email = "tess.ticket@example.com"
    page.goto(demo_url(live.base, live.chat_key, **identity("widget-yes", name="Tess Ticket", email=email)))
    open_widget(page)
    with page.expect_response(lambda r: r.url.endswith("/api/agent-failure/")) as recorded:
        body = ask(page, UNKNOWN)
    assert body["requires_escalation"] and body["classification_confidence"] < 0.5
    failure_id = recorded.value.json()["failure_id"]
    answer = last_answer(page)
    prompt = answer.get_by_role("group", name="Would you like me to create a support ticket?")
    expect(answer.locator(".thumb")).to_have_count(0)
    assert ticket_for(live, email) is None  # nothing before the yes

    prompt.get_by_role("button", name="Yes", exact=True).click()
    expect(prompt).to_have_count(0)
    assert wait_until(lambda: ticket_for(live, email) is not None, 10)
    ticket = ticket_for(live, email)
    assert ticket is not None
    confirmation = page.locator(".row.bot").last
    expect(confirmation).to_contain_text(f"Hi Tess, I've created support ticket #{ticket['id']} for you")
    expect(message_box(page)).to_be_focused()
    assert_contrast(page, (f"#{ticket['id']}",))
    shot(page, "widget-ticket")

    escalation = live.stack.services.escalations.get("default", failure_id)
    assert escalation.status == "ticketed" and escalation.ticket_id == str(ticket["id"])
    assert escalation.reason == "low_confidence" and escalation.session_id == body["session_id"]
    assert escalation.user["agent_id"] == "widget-yes" and escalation.query == UNKNOWN
    assert [(m["role"], m["content"]) for m in escalation.history] == [
        ("user", UNKNOWN),
        ("assistant", body["response"]),
    ]
    assert escalation.history[1]["timestamp"] == body["timestamp"]


def test_no_on_the_ticket_prompt_dismisses_it_and_declines_the_failure(page: Page, live: Live) -> None:
    email = "nick.no@example.com"
    page.goto(demo_url(live.base, live.chat_key, **identity("widget-no", name="Nick No", email=email)))
    open_widget(page)
    with page.expect_response(lambda r: r.url.endswith("/api/agent-failure/")) as recorded:
        ask(page, UNKNOWN)
    failure_id = recorded.value.json()["failure_id"]
    prompt = last_answer(page).get_by_role("group", name="Would you like me to create a support ticket?")
    with page.expect_response(lambda r: r.url.endswith(f"/api/agent-failure/{failure_id}/decline")) as declined:
        prompt.get_by_role("button", name="No", exact=True).click()
    assert declined.value.status == 200
    expect(prompt).to_have_count(0)
    expect(page.get_by_text("OK, I won't create a ticket.")).to_be_visible()
    expect(message_box(page)).to_be_focused()
    escalation = live.stack.services.escalations.get("default", failure_id)
    assert escalation is not None and escalation.status == "declined"
    assert ticket_for(live, email) is None


def test_a_queued_ticket_is_shown_then_its_number_once_made(page: Page, live: Live) -> None:
    email = "quinn.queue@example.com"
    page.goto(demo_url(live.base, live.chat_key, **identity("widget-queued", name="Quinn Queue", email=email)))
    open_widget(page)
    ask(page, UNKNOWN)
    live.stack.freshdesk.fail_next(Fault(500, {"code": "internal_error"}))  # the first try fails: 202
    with page.expect_response(lambda r: r.url.endswith("/create-ticket")) as first:
        page.get_by_role("button", name="Yes", exact=True).click()
    assert first.value.status == 202
    expect(page.get_by_text("Hi Quinn, I'm creating your support ticket now.")).to_be_visible()
    # the widget asks again every few seconds until the ticket exists, then shows its number
    assert wait_until(lambda: ticket_for(live, email) is not None, 20)
    ticket = ticket_for(live, email)
    assert ticket is not None
    expect(page.get_by_text(f"I've created support ticket #{ticket['id']}")).to_be_visible(timeout=15_000)
    expect(page.locator(".row.bot").last).to_contain_text(f"#{ticket['id']}")


# ---- (d) keyboard only, phone width -------------------------------------------------------------
def test_keyboard_only_at_a_phone_width(page: Page, live: Live) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(demo_url(live.base, live.chat_key))  # no user-*: the widget asks who it is talking to
    now = tab_to(page, f"Chat with {TITLE}")
    assert_focus_visible(now)
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name=TITLE)
    expect(panel).to_be_visible()
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")
    box = panel.bounding_box()
    assert box is not None and box["x"] == 0 and box["width"] == 360, box  # fills the width

    expect(page.get_by_label("Your name")).to_be_focused()
    page.keyboard.press("Enter")  # nothing typed yet: refused, and said so
    expect(page.get_by_role("alert")).to_have_text("Please enter your name.")
    page.keyboard.type("Kim Keys")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your email")).to_be_focused()
    page.keyboard.type("kim.keys@example.com")
    page.keyboard.press("Enter")
    expect(message_box(page)).to_be_focused()

    page.keyboard.type(ANSWERED)
    with page.expect_response(lambda r: r.url.endswith(CHAT_PATH)) as answered:
        page.keyboard.press("Enter")
    sent = answered.value.request.post_data_json
    assert sent is not None
    assert sent["user_info"]["name"] == "Kim Keys" and sent["user_info"]["email"] == "kim.keys@example.com"
    assert sent["user_info"]["agent_id"].startswith("web-") and sent["user_info"]["agency"] == "Website"
    expect(last_answer(page).locator(".text")).to_have_text(answered.value.json()["response"])
    expect(message_box(page)).to_be_focused()

    now = tab_to(page, "Helpful", backwards=True)  # back from the input into the answer
    assert_focus_visible(now)
    page.keyboard.press("Enter")
    expect(last_answer(page).get_by_text("Thanks for your feedback.")).to_be_visible()
    expect(message_box(page)).to_be_focused()
    assert_contrast(page)
    shot(page, "widget-phone")

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert (focused(page) or {}).get("name") == f"Chat with {TITLE}"
    page.keyboard.press("Enter")  # opens again where it was
    expect(message_box(page)).to_be_focused()
    expect(last_answer(page).get_by_text("Thanks for your feedback.")).to_be_visible()


def test_the_page_api_opens_closes_and_identifies(page: Page, live: Live) -> None:
    page.goto(demo_url(live.base, live.chat_key, **identity("widget-api-1")))
    page.wait_for_function("() => window.SwitchboardWidget && document.querySelector('[data-switchboard-widget]')")
    page.evaluate("() => window.SwitchboardWidget.open()")
    expect(page.get_by_role("dialog", name=TITLE)).to_be_visible()
    first = ask(page, ANSWERED)
    # another user: a new conversation (no session id is carried over), the old messages go
    page.evaluate(
        """() => window.SwitchboardWidget.identify({id: "widget-api-2", name: "Ann Other",
            email: "ann.other@example.com", agency: "Rentals", office: "Durban"})"""
    )
    expect(page.locator(".row.bot[data-message-id]")).to_have_count(0)
    message_box(page).fill(ANSWERED)
    with page.expect_response(lambda r: r.url.endswith(CHAT_PATH)) as answered:
        page.get_by_role("button", name="Send", exact=True).click()  # by mouse this time
    expect(last_answer(page)).to_be_visible()
    expect(message_box(page)).to_be_focused()  # back in the box, not lost on the disabled button
    second, body = answered.value.json(), answered.value.request.post_data_json
    assert body is not None and "session_id" not in body and second["session_id"] != first["session_id"]
    assert body["user_info"] == {
        "agent_id": "widget-api-2",
        "email": "ann.other@example.com",
        "name": "Ann Other",
        "agency": "Rentals",
        "office": "Durban",
    }
    page.evaluate("() => window.SwitchboardWidget.close()")
    expect(page.get_by_role("dialog", name=TITLE)).to_be_hidden()


def test_api_text_is_never_markup(page: Page, live: Live) -> None:
    page.goto(demo_url(live.base, live.chat_key, **identity("widget-markup")))
    open_widget(page)
    sneaky = '<img src=x onerror="window.__owned=1"><b>bold</b>'
    ask(page, sneaky)
    expect(page.locator(".row.user").last).to_contain_text(sneaky)
    assert page.evaluate("() => window.__owned") is None
    root_html = page.evaluate("() => document.querySelector('[data-switchboard-widget]').shadowRoot.innerHTML")
    assert "<img" not in root_html and "<b>" not in root_html


def test_the_widget_files_are_served_for_other_sites(live: Live) -> None:
    script = httpx.get(f"{live.base}/widget/widget.js")
    assert script.status_code == 200 and script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["access-control-allow-origin"] == "*"
    demo = httpx.get(f"{live.base}/widget/demo.html")
    assert demo.status_code == 200 and demo.headers["content-type"].startswith("text/html")
    # nothing is fetched from elsewhere: no CDN, no web font, no innerHTML
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", script.text.split("*/", 1)[1])
    assert "innerHTML" not in script.text and "@import" not in script.text and "@font-face" not in script.text
