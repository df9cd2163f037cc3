"""The web console (``/console/``) and the embeddable chat widget (``/widget/``): static files
shipped inside the package (``switchboard/web/``), served by the function ``console``.

Nothing is built at run time: the files are plain HTML, CSS and JavaScript modules. The console
talks to the administration API of the same base URL with the admin key it keeps in the browser
session; the widget is loaded by other sites and talks to the chat API of the base URL it was
loaded from. See docs/console.md.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from functools import lru_cache
from importlib import resources
from pathlib import PurePosixPath

import flask

from switchboard.errors import MethodNotAllowedError, NotFoundError
from switchboard.http import redirect

#: Where each mount's files live inside the package.
MOUNTS = {"console": "web/console", "widget": "web/widget"}
_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,80}$")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".ico": "image/x-icon",
}
#: The console runs only its own scripts and talks only to its own origin.
CONSOLE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self' https: http:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


@lru_cache(maxsize=256)
def _file(mount: str, name: str) -> tuple[bytes, str] | None:
    """A shipped file's bytes and ETag, or None."""
    parts = PurePosixPath(name).parts
    if not parts or any(not _NAME.match(part) for part in parts):
        return None
    found = resources.files("switchboard").joinpath(MOUNTS[mount], *parts)
    if not found.is_file():
        return None
    data = found.read_bytes()
    return data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def web_endpoint(request: flask.Request) -> flask.Response:
    """Serve one console or widget file (``GET``/``HEAD``).

    Raises:
        NotFoundError: No such file.
        MethodNotAllowedError: Anything but GET or HEAD.
    """
    path = request.path
    mount = next((m for m in MOUNTS if path == f"/{m}" or path.startswith(f"/{m}/")), None)
    if mount is None:
        raise NotFoundError("No such page")
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowedError(("GET", "HEAD"))
    if path == f"/{mount}":
        return redirect(f"/{mount}/", 301)
    name = path[len(mount) + 2 :] or "index.html"
    found = _file(mount, name)
    if found is None:
        raise NotFoundError("No such page")
    data, etag = found
    suffix = PurePosixPath(name).suffix
    response = flask.Response(b"" if request.method == "HEAD" else data, status=200)
    response.headers["Content-Type"] = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    response.headers["Content-Length"] = str(len(data))
    response.headers["ETag"] = etag
    # Revalidated on every load (a 304 when unchanged): a deployment is seen at once.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if mount == "console":
        response.headers["Content-Security-Policy"] = CONSOLE_POLICY
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
    else:  # loaded by the pages of other sites
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        response.headers["Access-Control-Allow-Origin"] = "*"
    if etag in request.headers.get("If-None-Match", ""):
        response.status_code = 304
        response.set_data(b"")
    return response
