from typing import Any

from tests.browser.conftest import Live


def test_the_console_page_loads(page: Any, live: Live) -> None:
    page.goto(f"{live.base}/console/")
    assert page.title() == "Switchboard console"
