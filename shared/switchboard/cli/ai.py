"""``switchboard ai ...`` (turn the AI on or off, its status, checks and one real turn) and
``switchboard analytics run`` (the daily rollup, as Cloud Scheduler runs it)."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from switchboard.cli.common import Commands, err, out, tenant_id

if TYPE_CHECKING:
    from switchboard.core.models import Tenant
    from switchboard.store.base import TurnStore


def _tenants(store: TurnStore, only: str | None) -> list[Tenant]:
    """The tenant named, or every tenant; an unknown name is an error."""
    from switchboard.core.models import Tenant

    if only:
        tenant = store.get_tenant(only)
        if tenant is None:
            raise RuntimeError(f"no tenant {only}; create it with `switchboard tenant create --tenant {only}`")
        return [tenant]
    found = [store.get_tenant(t) for t in store.list_tenants()]
    return [t for t in found if isinstance(t, Tenant)]


def cmd_ai_switch(args: argparse.Namespace) -> int:
    """Turn automatic answers on or off for one tenant or all of them."""
    from switchboard.bootstrap import services

    on = args.ai_command == "enable"
    store = services().store
    tenants = _tenants(store, args.tenant)
    for tenant in tenants:
        store.save_tenant(replace(tenant, settings=replace(tenant.settings, auto_response=on)))
        out(f"{tenant.id}: AI answers {'on' if on else 'off'}")
    if not tenants:
        err("no tenants yet")
    return 0


def _conversation_counts(store: TurnStore, tenant: str) -> dict[str, Any]:
    counts = store.conversation_counts(tenant)
    by_channel: dict[str, dict[str, int]] = {}
    for (owner, channel), n in sorted(counts.items()):
        status = "active" if owner == "ai" else "support_active"
        by_channel.setdefault(channel or "-", {"active": 0, "support_active": 0})[status] += n
    return {
        "active": sum(n for (owner, _), n in counts.items() if owner == "ai"),
        "support_active": sum(n for (owner, _), n in counts.items() if owner != "ai"),
        "by_channel": by_channel,
    }


def _status(tenant: Tenant, store: TurnStore) -> dict[str, Any]:
    from switchboard.bootstrap import services
    from switchboard.core import hours

    s, settings = tenant.settings, services().settings
    return {
        "tenant": tenant.id,
        "auto_response": s.auto_response,
        "default_handler": s.default_handler,
        "llm": settings.resolved_llm_backend,
        "model": s.model or settings.gemini_model,
        "business_hours": "always open"
        if not s.hours
        else ("open now" if hours.is_open(s.hours, datetime.now(UTC)) else "closed now"),
        "kb_version": tenant.kb_version,
        "conversations": _conversation_counts(store, tenant.id),
    }


def cmd_ai_status(args: argparse.Namespace) -> int:
    """Print each tenant's AI switch, handler, model, hours, knowledge base and conversations."""
    from switchboard.bootstrap import services

    store = services().store
    for tenant in _tenants(store, args.tenant):
        status = _status(tenant, store)
        if args.json:
            out(json.dumps(status, ensure_ascii=False))
            continue
        conv = status["conversations"]
        out(
            f"{tenant.id}: AI {'on' if status['auto_response'] else 'off'} · new conversations: "
            f"{status['default_handler']} · {status['llm']} {status['model']} · {status['business_hours']} · "
            f"kb v{status['kb_version']} · {conv['active']} active, {conv['support_active']} with people"
        )
    return 0


def cmd_ai_conversations(args: argparse.Namespace) -> int:
    """The conversations' status breakdown (AI or people), per channel."""
    from switchboard.bootstrap import services

    store = services().store
    for tenant in _tenants(store, args.tenant):
        counts = _conversation_counts(store, tenant.id)
        if args.json:
            out(json.dumps({"tenant": tenant.id, **counts}))
            continue
        out(f"{tenant.id}: {counts['active']} active (AI answers), {counts['support_active']} support_active (people)")
        for channel, row in counts["by_channel"].items():
            out(f"  {channel:<10} {row['active']:>6} active {row['support_active']:>6} support_active")
    return 0


def _checks(tenant: Tenant, store: TurnStore) -> list[tuple[str, bool, str]]:
    """(check, passed, detail) for one tenant."""
    from switchboard.bootstrap import services
    from switchboard.health import model_probe

    svc = services()
    settings = svc.settings
    checks: list[tuple[str, bool, str]] = []
    checks.append(
        (
            "auto-response",
            tenant.settings.auto_response,
            "on" if tenant.settings.auto_response else "off: the AI answers nothing (switchboard ai enable)",
        )
    )
    if settings.resolved_llm_backend == "genai":
        model = tenant.settings.model or settings.gemini_model
        found = model_probe(settings, model)()
        ok = found.get("status") == "healthy"
        detail = (
            f"{model} reachable"
            if ok
            else f"{model}: {found.get('http_status') or found.get('error') or found.get('status')}"
        )
        checks.append(("llm", ok, detail))
    else:
        checks.append(("llm", True, "no GEMINI_API_KEY: extractive answers quoted from the knowledge base"))
    meta = store.load_kb_meta(tenant.id, tenant.kb_version) if tenant.kb_version else None
    articles = int((meta or {}).get("articles", 0))
    checks.append(
        (
            "knowledge base",
            articles > 0,
            f"{articles} articles (v{tenant.kb_version})" if articles else "empty: switchboard kb import",
        )
    )
    channels = ["crm"]
    if tenant.settings.kommo:
        channels.append("kommo")
    if settings.chatwoot_bot_configured:
        channels.append("chatwoot bot")
    if settings.chatwoot_configured:
        channels.append("chatwoot desk")
    checks.append(("channels", True, ", ".join(channels)))
    return checks


def cmd_ai_validate(args: argparse.Namespace) -> int:
    """Check that each tenant can answer: exit 0 when every check passes, 1 otherwise."""
    from switchboard.bootstrap import services

    store = services().store
    failed = 0
    for tenant in _tenants(store, args.tenant):
        for name, ok, detail in _checks(tenant, store):
            failed += not ok
            out(f"{tenant.id}: {'ok  ' if ok else 'FAIL'} {name}: {detail}")
    return 1 if failed else 0


def cmd_ai_test(args: argparse.Namespace) -> int:
    """One real turn for a tenant (its model, knowledge base and settings); exit 1 if it failed."""
    from switchboard.bootstrap import services
    from switchboard.core.models import InboundMessage, UserInfo
    from switchboard.core.turn import handle_turn

    svc = services()
    (tenant,) = _tenants(svc.store, args.tenant)
    user = UserInfo("ai-test", name="switchboard ai test")
    key = f"ai-test:{int(time.time())}"
    started = time.perf_counter()
    result = handle_turn(InboundMessage(tenant.id, "cli", key, user, args.question, "test"), svc.turn_deps)
    elapsed = round((time.perf_counter() - started) * 1000)
    body = {
        "tenant": tenant.id,
        "question": args.question,
        "answer": result.reply,
        "silent": result.silent,
        "confidence": result.confidence,
        "requires_escalation": result.requires_escalation,
        "escalation_reason": result.escalation_reason,
        "sources": [s.entry_id for s in result.sources],
        "response_time_ms": elapsed,
    }
    if args.json:
        out(json.dumps(body, ensure_ascii=False))
    else:
        out(result.reply or "(silent: people answer this tenant's conversations now)")
        out(f"confidence {result.confidence:.2f} · escalate: {result.escalation_reason or 'no'} · {elapsed} ms")
    return 1 if result.escalation_reason == "ai_error" else 0


def cmd_analytics_run(args: argparse.Namespace) -> int:
    """Roll up a day (default: yesterday, and the day before to finalise it) and mark idle sessions."""
    from switchboard.bootstrap import services
    from switchboard.core.analytics import run_daily

    deps = services().analytics
    report = run_daily(deps, args.date, [args.tenant] if args.tenant else None)
    if args.json:
        for tenant, row in report.items():
            days = sorted(row["days"])
            row["rollups"] = list(deps.store.rollups_between(tenant, days[0], days[-1]).values()) if days else []
        out(json.dumps({"tenants": report}, ensure_ascii=False))
        return 0
    for tenant, row in report.items():
        out(f"{tenant}: rolled up {', '.join(row['days'])}; {row['marked_inactive']} sessions marked inactive")
    if not report:
        out("no tenants yet")
    return 0


def register(sub: Commands) -> None:
    """Add the ``ai`` and ``analytics`` commands."""
    ai = sub.add_parser("ai", help="the AI per tenant: on/off, status, checks, one real turn").add_subparsers(
        dest="ai_command", required=True
    )
    for name, text in (
        ("enable", "the AI answers (auto-response on)"),
        ("disable", "the AI answers nothing; people do"),
    ):
        switch = ai.add_parser(name, help=text)
        switch.add_argument("--tenant", type=tenant_id, help="one tenant (default: every tenant)")
        switch.set_defaults(func=cmd_ai_switch, needs_store=True)
    status = ai.add_parser("status", help="switch, default handler, model, hours, KB and conversations")
    status.add_argument("--tenant", type=tenant_id)
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_ai_status, needs_store=True)
    conversations = ai.add_parser("conversations", help="how many conversations the AI and people hold, per channel")
    conversations.add_argument("--tenant", type=tenant_id)
    conversations.add_argument("--json", action="store_true")
    conversations.set_defaults(func=cmd_ai_conversations, needs_store=True)
    validate = ai.add_parser("validate", help="check LLM, model, knowledge base and channels (exit 1 on a failure)")
    validate.add_argument("--tenant", type=tenant_id)
    validate.set_defaults(func=cmd_ai_validate, needs_store=True)
    test = ai.add_parser("test", help="one real turn through the tenant's AI")
    test.add_argument("--tenant", type=tenant_id, required=True)
    test.add_argument("--question", default="What can you help me with?")
    test.add_argument("--json", action="store_true")
    test.set_defaults(func=cmd_ai_test, needs_store=True)

    analytics = sub.add_parser("analytics", help="the daily rollups").add_subparsers(
        dest="analytics_command", required=True
    )
    run = analytics.add_parser("run", help="roll up a day and mark idle sessions inactive (as the scheduler does)")
    run.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD (default: yesterday and the day before)")
    run.add_argument("--tenant", type=tenant_id, help="one tenant (default: every tenant)")
    run.add_argument("--json", action="store_true", help="print the rollups as JSON")
    run.set_defaults(func=cmd_analytics_run, needs_store=True)
