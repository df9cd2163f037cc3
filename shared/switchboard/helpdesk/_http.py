"""Shared HTTP plumbing for connectors: explicit timeouts, bounded retries, translated errors."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from switchboard.errors import UpstreamError, UpstreamUnavailableError

DEFAULT_TIMEOUT = httpx.Timeout(5.0, connect=2.0)
#: Attempts for a request that certainly never reached the peer (connect failures).
CONNECT_ATTEMPTS = 2


def make_client(base_url: str = "", timeout: httpx.Timeout = DEFAULT_TIMEOUT, **kwargs: Any) -> httpx.Client:
    """One shared client per connector per instance."""
    return httpx.Client(base_url=base_url, timeout=timeout, **kwargs)


def retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), if present."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def request(client: httpx.Client, vendor: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send a request; return 2xx responses, raise translated errors otherwise.

    Only connection failures (the request was never sent) are retried here; everything else
    is the caller's decision, because a POST that timed out may have been applied.

    Raises:
        UpstreamUnavailableError: Timeouts, transport errors, 5xx and 429 (with ``retry_after``).
        UpstreamError: Other 4xx answers.
    """
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            response = client.request(method, url, **kwargs)
            break
        except httpx.ConnectError as exc:
            if attempt == CONNECT_ATTEMPTS:
                raise UpstreamUnavailableError(f"{vendor}: cannot connect") from exc
            time.sleep(0.2 * attempt)
        except httpx.TimeoutException as exc:
            raise UpstreamUnavailableError(f"{vendor}: timed out") from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailableError(f"{vendor}: transport error ({type(exc).__name__})") from exc
    if response.is_success:
        return response
    status = response.status_code
    if status == 429 or status >= 500:
        raise UpstreamUnavailableError(f"{vendor}: HTTP {status}", retry_after=retry_after(response), status=status)
    raise UpstreamError(f"{vendor}: HTTP {status}", status=status)
