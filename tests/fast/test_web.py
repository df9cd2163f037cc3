"""The console function: the console's and the widget's static files, with safe paths and headers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import function_client


@pytest.fixture
def web(make_stack: Any) -> Any:
    make_stack()
    return function_client("console")


def test_the_console_is_served_with_a_strict_policy(web: Any) -> None:
    moved = web.get("/console")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/console/")
    page = web.get("/console/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    again = web.get("/console/", headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    head = web.head("/console/index.html")
    assert head.status_code == 200 and head.data == b"" and int(head.headers["Content-Length"]) > 0


def test_the_widget_is_loadable_from_any_site(web: Any) -> None:
    script = web.get("/widget/widget.js")
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert script.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "Content-Security-Policy" not in script.headers


@pytest.mark.parametrize(
    "path",
    ["/console/../main.py", "/console/%2e%2e/x", "/console/nothing.js", "/widget/", "/console/.hidden", "/consoles/"],
)
def test_nothing_outside_the_shipped_files_is_served(web: Any, path: str) -> None:
    assert web.get(path).status_code == 404


def test_only_reads(web: Any) -> None:
    refused = web.post("/console/", data=b"x")
    assert refused.status_code == 405 and refused.headers["Allow"] == "GET, HEAD"
