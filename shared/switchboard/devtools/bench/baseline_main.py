"""The speed benchmark's baseline: a minimal function doing one Firestore read and one write."""

from __future__ import annotations

import os

import flask
import functions_framework
from google.cloud import firestore

_client: firestore.Client | None = None


@functions_framework.http
def baseline(request: flask.Request) -> tuple[dict[str, object], int]:
    """Read a document, write it back with a counter, answer JSON."""
    global _client
    if _client is None:
        _client = firestore.Client(project=os.environ["GOOGLE_CLOUD_PROJECT"])
    ref = _client.collection("baseline").document("doc")
    snapshot = ref.get()
    ref.set({"n": ((snapshot.to_dict() or {}).get("n", 0) if snapshot.exists else 0) + 1})
    return {"ok": True}, 200
