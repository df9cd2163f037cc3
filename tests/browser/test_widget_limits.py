"""The chat widget against a stack of its own: a small rate limit (the countdown after a 429) and
CORS allowed for one other origin (the widget embedded in a page of another site, and refused on a
site that is not allowed).

Only one loopback stack may run at a time in the process, so this module does not use ``live``.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from switchboard.devtools.bench.loopback import loopback_stack
from tests.browser.conftest import Live, shot
from tests.browser.test_widget import (
    ANSWERED,
    CHAT_PATH,
    ask,
    assert_contrast,
    demo_url,
    identity,
    last_answer,
    message_box,
    open_widget,
)

LIMIT, WINDOW = 2, 8  # RATE_LIMIT: 2 answers per user in fixed 8-second windows
PARTNER = "Partner help"


class _Pages(BaseHTTPRequestHandler):
    """Serves the HTML its server holds by path (the stack's address is only known later)."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = getattr(self.server, "pages", {}).get(urlsplit(self.path).path)
        data = (body or "Not found").encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


@dataclass
class Site:
    """A static site on another loopback port: another origin than the stack's."""

    server: ThreadingHTTPServer

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve(self, path: str, page: str) -> str:
        self.server.pages[path] = page  # type: ignore[attr-defined]
        return self.origin + path


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[Site, Site]]:
    """Two sites: the first is allowed by CORS_ALLOWED_ORIGINS, the second is not."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Pages) for _ in range(2)]
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True) for s in servers]
    for server, thread in zip(servers, threads, strict=True):
        server.pages = {}  # type: ignore[attr-defined]
        thread.start()
    try:
        yield Site(servers[0]), Site(servers[1])
    finally:
        for server, thread in zip(servers, threads, strict=True):
            server.shutdown()
            server.server_close()
            thread.join(5)


@pytest.fixture(scope="module")
def stack(firestore_emulator: str, sites: tuple[Site, Site]) -> Iterator[Live]:
    from switchboard.channels.auth import hash_api_key

    with loopback_stack(
        "widget",
        FIRESTORE_EMULATOR_HOST=firestore_emulator,
        RATE_LIMIT=f"{LIMIT}/{WINDOW}",
        ALLOW_ANONYMOUS="false",
        CORS_ALLOWED_ORIGINS=sites[0].origin,
    ) as running:
        chat_key = "sb_chat_" + secrets.token_urlsafe(24)
        running.services.store.add_api_key(hash_api_key(chat_key), "default")
        yield Live(running, str(running.http.base_url).rstrip("/"), "", chat_key)


def partner_page(stack: Live, agent_id: str) -> str:
    """A page of another site embedding the widget with the documented tag, and CSS that would
    wreck the widget if styles were not isolated (and class names the widget uses itself)."""
    attrs = {
        "data-key": stack.chat_key,
        "data-title": PARTNER,
        **{f"data-{k}": v for k, v in identity(agent_id).items()},
    }
    tag = " ".join(f'{name}="{html.escape(value)}"' for name, value in attrs.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner site</title>
<style>
  * {{ font-family: "Comic Sans MS", cursive !important; color: #c00 !important; line-height: 3 !important; }}
  button {{ background: #ff0 !important; border: 5px dashed #0f0 !important; }}
  div, section {{ position: static !important; }}
</style></head>
<body>
  <h1>Partner site</h1>
  <div class="panel" id="own-panel">The page's own .panel</div>
  <button class="primary" id="own-button">The page's own button</button>
  <script src="{stack.base}/widget/widget.js" {tag} defer></script>
</body></html>"""


def seconds_shown(text: str) -> int:
    words = text.split()
    return int(words[words.index("in") + 1])


# ---- (c) 429: countdown, input disabled, then enabled again ------------------------------------
def test_a_429_counts_down_with_the_input_disabled_then_enables_it(page: Page, stack: Live) -> None:
    who = identity("widget-limited")
    page.goto(demo_url(stack.base, stack.chat_key, **who))
    open_widget(page)
    # Start early in a window (they are fixed, aligned to the epoch) so the wait is a few seconds.
    left = WINDOW - time.time() % WINDOW
    if left < WINDOW - 2:
        time.sleep(left + 0.05)
    user_info = {
        "agent_id": who["user-id"],
        "email": who["user-email"],
        "name": who["user-name"],
        "agency": who["user-agency"],
        "office": who["user-office"],
    }
    for n in range(LIMIT):  # the user's answers for this window, used up elsewhere
        used = stack.stack.http.post(
            "/api/agent/customer/",
            json={"message": f"question {n}", "user_info": user_info},
            headers={"Authorization": f"Bearer {stack.chat_key}"},
        )
        assert used.status_code == 200, used.text

    box, send = message_box(page), page.get_by_role("button", name="Send", exact=True)
    box.fill(ANSWERED)
    with page.expect_response(lambda r: r.url.endswith(CHAT_PATH)) as limited:
        box.press("Enter")
    assert limited.value.status == 429
    reset = limited.value.json()["detail"]["reset_in_seconds"]
    assert reset >= 3, reset
    notice = page.locator(".notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_text(f"You can send another message in {reset} seconds.")
    expect(box).to_be_disabled()
    expect(send).to_be_disabled()
    # announced once to screen readers (the countdown itself is a timer, not read out every second)
    expect(page.locator(".status")).to_contain_text("You've reached the message limit.")
    expect(box).to_have_value(ANSWERED)  # nothing was stored: the text is kept for later
    expect(page.locator(".row.user")).to_have_count(0)
    assert_contrast(page, (f"You can send another message in {reset} seconds.",))
    shot(page, "widget-rate-limit")
    expect(notice).to_have_text(f"You can send another message in {reset - 1} seconds.", timeout=2500)  # counting
    assert seconds_shown(notice.inner_text()) < reset

    expect(box).to_be_enabled(timeout=(reset + 3) * 1000)
    expect(send).to_be_enabled()
    expect(notice).to_be_hidden()
    expect(page.get_by_text("You can send messages again.")).to_be_visible()
    expect(box).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith(CHAT_PATH)) as answered:
        box.press("Enter")
    assert answered.value.status == 200
    expect(last_answer(page).locator(".text")).to_have_text(answered.value.json()["response"])


# ---- (e) embedded in a page of another origin -----------------------------------------------------
def test_the_widget_works_on_a_page_of_another_allowed_origin(
    page: Page, stack: Live, sites: tuple[Site, Site]
) -> None:
    allowed = sites[0]
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(allowed.serve("/help.html", partner_page(stack, "widget-partner")))
    assert allowed.origin != stack.base

    launcher = page.get_by_role("button", name=f"Chat with {PARTNER}")
    launcher.click()
    expect(page.get_by_role("dialog", name=PARTNER)).to_be_visible()
    with page.expect_response(lambda r: r.url == f"{stack.base}{CHAT_PATH}" and r.request.method == "POST") as answered:
        message_box(page).fill(ANSWERED)
        message_box(page).press("Enter")
    response = answered.value
    assert response.status == 200
    assert response.request.all_headers()["origin"] == allowed.origin
    assert response.all_headers()["access-control-allow-origin"] == allowed.origin
    answer = last_answer(page)
    expect(answer.locator(".text")).to_have_text(response.json()["response"])
    expect(answer.get_by_role("list")).to_have_text("Exporting Leads to CSV")
    with page.expect_response(lambda r: r.url == f"{stack.base}/api/feedback") as rated:
        answer.get_by_role("button", name="Helpful", exact=True).click()
    assert rated.value.status == 200
    expect(answer.get_by_text("Thanks for your feedback.")).to_be_visible()

    # styles are isolated both ways: the page's CSS does not reach the widget, nor the widget's the page
    looks = page.evaluate(
        """() => {
            const root = document.querySelector("[data-switchboard-widget]").shadowRoot;
            const style = (el) => getComputedStyle(el);
            return {launcher: style(root.querySelector(".launcher")).backgroundColor,
                    text: style(root.querySelector(".row.bot .text")).color,
                    font: style(root.querySelector(".row.bot .text")).fontFamily,
                    panel: style(root.getElementById("sb-panel")).position,
                    ownPanel: style(document.getElementById("own-panel")).position,
                    ownButton: style(document.getElementById("own-button")).backgroundColor};
        }"""
    )
    assert looks["launcher"] == "rgb(29, 78, 216)" and looks["text"] == "rgb(26, 26, 26)", looks
    assert "Comic" not in looks["font"] and looks["panel"] == "fixed", looks
    assert looks["ownPanel"] == "static" and looks["ownButton"] == "rgb(255, 255, 0)", looks
    assert_contrast(page, ("Exporting Leads to CSV",))
    # nothing from a third party: no CDN, no fonts
    assert {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in requested} == {allowed.origin, stack.base}


def test_on_an_origin_that_is_not_allowed_the_widget_says_it_cannot_reach_the_service(
    page: Page, stack: Live, sites: tuple[Site, Site]
) -> None:
    other = sites[1]
    page.goto(other.serve("/help.html", partner_page(stack, "widget-stranger")))
    page.get_by_role("button", name=f"Chat with {PARTNER}").click()
    box = message_box(page)
    box.fill(ANSWERED)
    box.press("Enter")
    expect(
        page.get_by_text("Sorry, I couldn't reach the support service, so your message was not sent.")
    ).to_be_visible()
    expect(box).to_have_value(ANSWERED)  # kept for another try
    expect(box).to_be_enabled()
    expect(page.locator(".row.user")).to_have_count(0)


def test_a_strict_content_security_policy_needs_only_the_base_url(
    page: Page, stack: Live, sites: tuple[Site, Site]
) -> None:
    """A page allowing scripts and connections to the base URL and nothing else (no inline styles):
    the widget is styled (a constructed stylesheet) and answers."""
    policy = f"default-src 'none'; script-src {stack.base}; connect-src {stack.base}"
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page_html = partner_page(stack, "widget-csp").replace(
        "<title>", f'<meta http-equiv="Content-Security-Policy" content="{policy}"><title>', 1
    )
    page.goto(sites[0].serve("/strict.html", page_html))
    page.get_by_role("button", name=f"Chat with {PARTNER}").click()
    body = ask(page, ANSWERED)
    expect(last_answer(page).locator(".text")).to_have_text(body["response"])
    looks = page.evaluate(
        """() => {
            const root = document.querySelector("[data-switchboard-widget]").shadowRoot;
            return {header: getComputedStyle(root.querySelector(".head")).backgroundColor,
                    panel: getComputedStyle(root.getElementById("sb-panel")).position,
                    fill: root.querySelector(".meter .fill").style.width};
        }"""
    )
    assert looks == {
        "header": "rgb(29, 78, 216)",
        "panel": "fixed",
        "fill": f"{round(body['classification_confidence'] * 100)}%",
    }
    # the page's own inline <style> is what the policy refuses, not the widget
    assert violations and all("style" in v for v in violations), violations
