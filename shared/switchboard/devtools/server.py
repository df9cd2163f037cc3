"""One local base URL for every function, with the production paths.

Each function is loaded exactly as Cloud Functions loads it (``functions_framework.create_app``
on ``functions/<name>/main.py``); requests are dispatched by path prefix and reach the function
with their full path, as the production load balancer forwards them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

#: Path prefix → function name. The production URL map (infra/terraform) mirrors this table.
ROUTES: tuple[tuple[str, str], ...] = (
    ("/api/agent/", "chat"),
    ("/api/agent-failure", "escalation"),
    ("/api/feedback", "feedback"),
    ("/api/webhooks/chatwoot", "chatwoot_webhook"),
    ("/api/kommo/", "kommo_webhook"),
    ("/api/chatwoot/", "chatwoot_bot"),
    ("/api/v1/", "admin"),
    ("/api/support/", "admin"),
    ("/api/health", "health"),
    ("/api/openapi.json", "health"),
    ("/tasks/", "tasks"),
    ("/analytics/", "analytics"),
    ("/console", "console"),
    ("/widget/", "console"),
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def function_for(path: str) -> str | None:
    """The function that serves ``path`` (longest matching prefix), or None."""
    best = None
    for prefix, name in ROUTES:
        bare = prefix.rstrip("/")
        if (path == bare or path.startswith(prefix) or path.startswith(bare + "/")) and (
            best is None or len(prefix) > len(best[0])
        ):
            best = (prefix, name)
    return best[1] if best else None


def build_app(functions_dir: Path) -> WSGIApp:
    """A WSGI app dispatching to every function in ``functions_dir`` named in :data:`ROUTES`."""
    from functions_framework import create_app

    apps = {
        name: create_app(target=name, source=str(functions_dir / name / "main.py"), signature_type="http")  # type: ignore[no-untyped-call]
        for name in {name for _, name in ROUTES}
    }

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        name = function_for(environ.get("PATH_INFO", "/"))
        if name is None:
            body = b'{"detail":"No such endpoint","error":"not_found"}'
            start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        response: Iterable[bytes] = apps[name](environ, start_response)
        return response

    return app


class DevServer:
    """A threaded WSGI server on ``127.0.0.1:port`` running in a background thread."""

    def __init__(self, app: WSGIApp, port: int, host: str = "127.0.0.1") -> None:
        self.server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self.port = self.server.server_port
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="devserver", daemon=True
        )

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DevServer:
        """Serve in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)
