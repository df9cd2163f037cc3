"""Schemathesis against the local stack over HTTP: every function behind one server on Google's
Firestore emulator and the Cloud Tasks emulator, with the vendor stand-ins (what `make dev` runs).
Every operation of docs/openapi.json, generated requests valid and invalid, never a 5xx, and every
response conforms to the document. (tests/fast/test_api_fuzz.py runs the same over in-memory ports.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import content_type_conformance

from switchboard.devtools.bench.loopback import Loopback, loopback_stack
from tests.conftest import REPO

pytestmark = pytest.mark.emulator

CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": ["400", "401", "404", "405", "409", "413", "422"]}}}
)
schema = schemathesis.openapi.from_path(REPO / "docs" / "openapi.json", config=CONFIG)


@pytest.fixture(scope="module")
def local_stack(firestore_emulator: str) -> Iterator[Loopback]:
    with loopback_stack("fuzz", FIRESTORE_EMULATOR_HOST=firestore_emulator, RATE_LIMIT="100000/60") as stack:
        yield stack


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented_on_the_local_stack(case: Any, local_stack: Loopback) -> None:
    # As in the fast tier: a path with a control character gets functions-framework's HTML 404.
    case.call_and_validate(
        base_url=str(local_stack.http.base_url).rstrip("/"), excluded_checks=[content_type_conformance]
    )
