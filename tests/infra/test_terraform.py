"""infra/terraform parses, deploys every function, routes every public path, keeps `tasks` private.

Provider-level `terraform validate` needs the registry, which is out of reach here; these checks
parse the HCL and compare it with the code it deploys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2  # type: ignore[import-untyped]
import pytest
from hcl2.utils import SerializationOptions
from pydantic import SecretStr

from switchboard.config import Settings
from switchboard.devtools.server import ROUTES
from tests.conftest import REPO

TF = REPO / "infra" / "terraform"
OPTS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)


@pytest.fixture(scope="module")
def tf() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted(TF.glob("*.tf")):
        with path.open() as handle:
            for key, value in hcl2.load(handle, serialization_options=OPTS).items():
                merged.setdefault(key, []).extend(value)
    return merged


def _locals(tf: dict[str, Any]) -> dict[str, Any]:
    return {k: v for block in tf["locals"] for k, v in block.items()}


def _resources(tf: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {
        (kind, name): body for block in tf["resource"] for kind, named in block.items() for name, body in named.items()
    }


def test_every_function_folder_is_deployed(tf: dict[str, Any]) -> None:
    folders = {p.name for p in (REPO / "functions").iterdir() if (p / "main.py").is_file()}
    assert set(_locals(tf)["functions"]) == folders
    function = _resources(tf)[("google_cloudfunctions2_function", "fn")]
    assert function["build_config"][0]["runtime"].startswith("python3")
    # every function scales to zero unless the operator keeps some warm
    assert function["service_config"][0]["min_instance_count"] == "${lookup(var.min_instances, each.key, 0)}"
    variable = next(v["min_instances"] for v in tf["variable"] if "min_instances" in v)
    assert variable["default"] == {}


def test_public_paths_mirror_the_dev_server_routes_and_tasks_stay_private(tf: dict[str, Any]) -> None:
    functions = _locals(tf)["functions"]
    for private in ("tasks", "analytics"):
        assert functions[private]["public"] is False and functions[private]["paths"] == [], private
    for prefix, name in ROUTES:
        if name in ("tasks", "analytics"):
            continue
        assert functions[name]["public"], name
        paths = functions[name]["paths"]
        assert any(p.rstrip("*").rstrip("/") == prefix.rstrip("/") or p == prefix + "*" for p in paths), (prefix, paths)
    resources = _resources(tf)
    assert resources[("google_cloud_run_v2_service_iam_member", "public")]["member"] == "allUsers"
    assert "tasks_invoker" in resources[("google_cloud_run_v2_service_iam_member", "tasks_invoker")]["member"]


def test_ttl_is_enabled_on_every_collection_that_carries_expires_at(tf: dict[str, Any]) -> None:
    documented = (REPO / "docs" / "data-model.md").read_text()
    groups = set(_locals(tf)["ttl_groups"])
    assert groups == {"conversations", "messages", "rate_limits", "claims", "webhook_deliveries", "dead_letters"}
    assert all(group in documented for group in groups)


def test_every_secret_setting_comes_from_secret_manager(tf: dict[str, Any]) -> None:
    declared = [v for block in tf["variable"] for k, v in block.items() if k == "secrets"]
    secrets = set(declared[0]["default"])
    # GOOGLE_API_KEY is GEMINI_API_KEY's alias; TASKS_SECRET authenticates the local queue only
    # (production tasks carry OIDC tokens), so a deployment must not set it.
    local_only = {"GOOGLE_API_KEY", "TASKS_SECRET"}
    checked = [
        field.alias
        for field in Settings.model_fields.values()
        if field.annotation in (SecretStr, SecretStr | None) and field.alias not in local_only
    ]
    assert len(checked) >= 8
    assert set(checked) <= secrets
    assert not local_only & secrets and "TASKS_SECRET" not in json.dumps(tf)


def test_sweep_runs_on_a_schedule_with_an_oidc_token(tf: dict[str, Any]) -> None:
    job = _resources(tf)[("google_cloud_scheduler_job", "sweep")]
    target = job["http_target"][0]
    assert target["uri"].endswith("/tasks/sweep") and target["oidc_token"][0]["service_account_email"]
    # The token's audience is what the tasks function checks: TASKS_TARGET_URL.
    assert target["oidc_token"][0]["audience"] == "${local.tasks_url}"
    assert "TASKS_TARGET_URL = local.tasks_url" in _locals(tf)["base_env"]


def test_analytics_runs_daily_with_an_oidc_token_for_its_own_audience(tf: dict[str, Any]) -> None:
    resources = _resources(tf)
    job = resources[("google_cloud_scheduler_job", "analytics")]
    target = job["http_target"][0]
    assert job["schedule"] == "0 1 * * *" and target["uri"] == "${local.analytics_url}/analytics/run"
    token = target["oidc_token"][0]
    assert "tasks_invoker" in token["service_account_email"] and token["audience"] == "${local.analytics_url}"
    assert "ANALYTICS_AUDIENCE = local.analytics_url" in _locals(tf)["base_env"]
    # links the functions hand out (integrations, verification mails) use the load balancer's https URL
    assert 'PUBLIC_BASE_URL = "https://${var.domain}"' in _locals(tf)["base_env"]
    assert "analytics" in resources[("google_cloud_run_v2_service_iam_member", "tasks_invoker")]["for_each"]
    indexes = resources[("google_firestore_index", "conversations")]
    assert indexes["collection"] == "conversations"
    # not a reference to the optional (count-ed) database resource, which would not plan
    assert indexes["database"] == "(default)" and "google_firestore_database.default" in str(indexes["depends_on"])


def test_each_function_runs_as_its_own_account_with_only_its_own_secrets(tf: dict[str, Any]) -> None:
    functions = _locals(tf)["functions"]
    declared = set(next(v for block in tf["variable"] for k, v in block.items() if k == "secrets")["default"])
    resources = _resources(tf)
    function = resources[("google_cloudfunctions2_function", "fn")]["service_config"][0]
    assert "google_service_account.fn[each.key]" in function["service_account_email"]
    secret_env = function["dynamic"][0]["secret_environment_variables"]
    assert "each.value.secrets" in secret_env["for_each"]  # a function's own list, not every secret
    assert ("google_service_account", "functions") not in resources  # no shared identity any more
    used: set[str] = set()
    for name, config in functions.items():
        assert set(config["secrets"]) <= declared, name
        used |= set(config["secrets"])
    assert used == declared  # every secret is read by some function
    # The public functions never hold what only deferred work needs.
    for name in ("chat", "feedback", "kommo_webhook", "chatwoot_webhook", "chatwoot_bot"):
        assert not {"SMTP_PASSWORD", "KOMMO_ACCESS_TOKEN", "FRESHDESK_API_KEY", "CHATWOOT_BOT_TOKEN"} & set(
            functions[name]["secrets"]
        ), name
    assert functions["feedback"]["secrets"] == []
    assert {"KOMMO_ACCESS_TOKEN", "SMTP_PASSWORD", "GEMINI_API_KEY"} <= set(functions["tasks"]["secrets"])
    # Only functions that schedule work may enqueue, and the chat function does not.
    assert {n for n, f in functions.items() if f["enqueues"]} == {
        "admin",  # a Chatwoot bot conversation's status change, sent to Chatwoot by the tasks function
        "escalation",
        "kommo_webhook",
        "chatwoot_bot",
        "tasks",
    }
    accessor = resources[("google_secret_manager_secret_iam_member", "fn")]
    assert "local.function_secrets" in accessor["for_each"]


def test_tasks_take_only_internal_traffic_and_the_edge_is_hardened(tf: dict[str, Any]) -> None:
    resources = _resources(tf)
    ingress = resources[("google_cloudfunctions2_function", "fn")]["service_config"][0]["ingress_settings"]
    assert '"ALLOW_INTERNAL_ONLY"' in ingress and "ALLOW_ALL" not in ingress
    source = resources[("google_storage_bucket", "source")]
    assert source["versioning"][0]["enabled"] is True and source["logging"][0]["log_bucket"]
    policy = resources[("google_compute_ssl_policy", "api")]
    assert policy["min_tls_version"] == "TLS_1_2" and policy["profile"] == "MODERN"
    assert "ssl_policy" in resources[("google_compute_target_https_proxy", "api")]
    assert "rate_limit_per_minute" in resources[("google_compute_backend_service", "fn")]["security_policy"]


def test_knowledge_chunks_have_a_vector_index_of_the_embeddings_dimension(tf: dict[str, Any]) -> None:
    from switchboard.store import firestore_kb

    index = _resources(tf)[("google_firestore_index", "kb_chunks_vector")]
    assert index["collection"] == "kb_chunks" and index["database"] == "(default)"
    fields = {f["field_path"]: f for f in index["fields"]}
    vector = fields["embedding"]["vector_config"][0]
    assert vector["dimension"] == "${var.embedding_dimensions}" and "flat" in vector
    variable = next(v["embedding_dimensions"] for v in tf["variable"] if "embedding_dimensions" in v)
    default = Settings.model_fields["embedding_dimensions"].default
    assert variable["default"] == default == 768
    assert "EMBEDDING_DIMENSIONS = tostring(var.embedding_dimensions)" in _locals(tf)["base_env"]
    # the adapter searches that collection and field
    text = Path(firestore_kb.__file__).read_text(encoding="utf-8")
    assert 'collection("kb_chunks")' in text and 'vector_field="embedding"' in text
