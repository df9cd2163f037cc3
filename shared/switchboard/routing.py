"""One routing rule for every HTTP function: path pattern, canonical spelling, methods.

The CRM contract spells some paths with a trailing slash and some without; a request with the
other spelling is redirected with 308 (method and body kept) to the canonical one. Webhook paths
that vendors call accept either spelling as is, because not every sender follows redirects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import flask

from switchboard.errors import MethodNotAllowedError, NotFoundError
from switchboard.http import redirect


@dataclass(frozen=True)
class Route:
    """One endpoint.

    Attributes:
        pattern: Matches the path in every accepted spelling; named groups are its parameters.
        canonical: The path's one canonical spelling from its parameters; None accepts any match.
        methods: The methods it serves (others get 405 with ``Allow``).
        hint: Added to the 404 detail (for example the valid agent types).
    """

    pattern: re.Pattern[str]
    canonical: Callable[[dict[str, str]], str] | None = None
    methods: tuple[str, ...] = ("POST",)
    hint: str = ""


def resolve(request: flask.Request, route: Route) -> dict[str, str] | flask.Response:
    """The path's parameters, or a redirect to its canonical spelling.

    Raises:
        NotFoundError: The path does not match.
        MethodNotAllowedError: The method is not served.
    """
    match = route.pattern.match(request.path)
    if not match:
        raise NotFoundError(f"No such endpoint: {request.path}{'; ' + route.hint if route.hint else ''}")
    params = {k: v for k, v in match.groupdict().items() if v is not None}
    if route.canonical is not None:
        target = route.canonical(params)
        if request.path != target:
            query = f"?{request.query_string.decode()}" if request.query_string else ""
            return redirect(f"{target}{query}")
    if request.method not in route.methods:
        raise MethodNotAllowedError(list(route.methods))
    return params


def match_path(request: flask.Request, route: Route) -> dict[str, str]:
    """The path's parameters, for a route that accepts every spelling it matches (no redirect).

    Raises:
        NotFoundError: The path does not match.
        MethodNotAllowedError: The method is not served.
    """
    if route.canonical is not None:
        raise ValueError("a route with a canonical spelling may redirect: use resolve()")
    found = resolve(request, route)
    assert isinstance(found, dict)
    return found
