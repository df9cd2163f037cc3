"""Firestore plumbing shared by every Firestore adapter: error translation, call options with
bounded retries, a commit sent as a gRPC future, usage shards and digests."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc
from google.api_core import exceptions as gexc
from google.api_core import gapic_v1
from google.api_core.retry import Retry, if_transient_error
from google.cloud import firestore

from switchboard.errors import ConflictError, StoreError

#: Daily usage counters are spread over this many documents: one document per tenant and day
#: would take every turn's Increment, past Firestore's sustained ~1 write/s per document.
USAGE_SHARDS = 10


@contextmanager
def translated(what: str) -> Iterator[None]:
    try:
        yield
    except (gexc.Conflict, gexc.AlreadyExists, gexc.FailedPrecondition) as exc:
        raise ConflictError(f"{what}: concurrent change") from exc
    except (gexc.GoogleAPICallError, gexc.RetryError) as exc:
        raise StoreError(f"{what}: Firestore failed ({type(exc).__name__})") from exc


def call_options(timeout: float) -> dict[str, Any]:
    """Keyword arguments for every Firestore call: a per-call timeout and bounded retries.

    Without an explicit ``retry`` the library retries transient errors for up to 300 s
    whatever ``timeout`` says (measured: a chat turn against an unreachable Firestore took
    283 s to fail). Here transient errors are retried with backoff for at most ``timeout``
    seconds in all.
    """
    return {
        "timeout": timeout,
        "retry": Retry(predicate=if_transient_error, initial=0.1, maximum=1.0, multiplier=2.0, timeout=timeout),
    }


class PendingCommit:
    """A batch commit sent as a gRPC future (no thread); ``result()`` waits for it.

    The client library has no non-blocking commit, so this goes one level down to the GAPIC
    transport's commit callable with the same request, metadata and routing header the
    library would send. An UNAVAILABLE answer is sent again as an ordinary blocking commit with
    the store's bounded retries (the library's own commit retries UNAVAILABLE too); other errors
    are raised as the library would raise them.
    """

    def __init__(self, db: firestore.Client, batch: Any, call: dict[str, Any]) -> None:
        self._batch, self._call = batch, call
        timeout = call["timeout"]
        request = {"database": db._database_string, "writes": batch._write_pbs}
        routing = gapic_v1.routing_header.to_grpc_metadata((("database", db._database_string),))  # type: ignore[no-untyped-call]
        metadata = (*db._rpc_metadata, routing)
        self._future = db._firestore_api.transport.commit.future(request, timeout=timeout, metadata=metadata)

    def result(self) -> list[Any]:
        """The write results (with their transform results), in write order."""
        try:
            return list(self._future.result().write_results)
        except grpc.RpcError as exc:
            if not (isinstance(exc, grpc.Call) and exc.code() == grpc.StatusCode.UNAVAILABLE):
                raise gexc.from_grpc_error(exc) from exc  # type: ignore[no-untyped-call]
        return list(self._batch.commit(**self._call))


def usage_shard(tenant_ref: Any, day: str) -> Any:
    """One of the day's usage counter documents, picked at random; each carries ``date``."""
    return tenant_ref.collection("usage").document(f"{day}-s{random.randrange(USAGE_SHARDS)}")


def digest(text: str) -> str:
    """A short, stable, non-reversible id for a user id or similar value."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def tenant_ref(db: firestore.Client, tenant_id: str) -> Any:
    """The tenant's document: every tenant-scoped collection hangs under it."""
    return db.collection("tenants").document(tenant_id)


_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:@+-]{1,200}$")


def safe_id(key: str) -> str:
    """A document id for a key that may come from outside: the key itself when Firestore accepts
    it and it is readable, else ``h-`` and its digest (slashes, ``.``/``..``, ``__x__``, long keys)."""
    if _SAFE_ID.match(key) and not key.startswith("__") and key not in (".", ".."):
        return key
    return f"h-{digest(key)}"
