"""``switchboard tenant ...`` and ``switchboard conversation owner``: tenants, API keys, who answers."""

from __future__ import annotations

import argparse
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from switchboard.cli.common import Commands, err, out, tenant_id

if TYPE_CHECKING:
    from switchboard.core.models import Tenant
    from switchboard.store.base import TurnStore


def _new_key() -> str:
    return "sb_" + secrets.token_urlsafe(32)


def cmd_tenant_create(args: argparse.Namespace) -> int:
    """Create (or rename) a tenant and print a new API key for it."""
    from switchboard.bootstrap import services
    from switchboard.channels.auth import hash_api_key
    from switchboard.core.models import Tenant

    store = services().store
    existing = store.get_tenant(args.tenant)
    tenant = existing or Tenant(id=args.tenant)
    store.save_tenant(Tenant(tenant.id, args.name or tenant.name or args.tenant, tenant.settings, tenant.kb_version))
    key = _new_key()
    store.add_api_key(hash_api_key(key), args.tenant)
    err(f"tenant {args.tenant} {'updated' if existing else 'created'}; its API key (shown once, stored hashed):")
    out(key)
    return 0


def _existing(store: TurnStore, tenant_id: str) -> Tenant | None:
    """The tenant, or None after telling the user how to create it."""
    tenant = store.get_tenant(tenant_id)
    if tenant is None:
        err(f"no tenant {tenant_id}; create it with `switchboard tenant create --tenant {tenant_id}`")
    return tenant


def cmd_tenant_add_key(args: argparse.Namespace) -> int:
    """Print a new API key for an existing tenant."""
    from switchboard.bootstrap import services
    from switchboard.channels.auth import hash_api_key

    store = services().store
    key = _new_key()
    if args.platform:
        from switchboard.channels.admin import PLATFORM

        store.add_api_key(hash_api_key(key), PLATFORM, kind="platform")
        err("a platform key: it serves the views across every tenant (GET /api/v1/ai/usage/global/)")
        out(key)
        return 0
    if args.tenant is None:
        err("--tenant is required (or --platform for an operator's key)")
        return 2
    if _existing(store, args.tenant) is None:
        return 2
    store.add_api_key(hash_api_key(key), args.tenant, kind="admin" if args.role == "admin" else "api")
    if args.role == "admin":
        err(f"an admin key of tenant {args.tenant}: it serves /api/v1/ai/... (docs/admin.md) and cannot chat")
    out(key)
    return 0


def _bad_texts(texts: Any) -> list[str]:
    """What is wrong in a bot texts file: unknown message keys, languages or non-text values."""
    from switchboard.core.bot_texts import LANGUAGES, TEXTS

    if not isinstance(texts, dict):
        return ["(the file must hold a JSON object)"]
    bad = []
    for key, by_language in texts.items():
        if key not in TEXTS or not isinstance(by_language, dict):
            bad.append(str(key))
            continue
        bad += [
            f"{key}.{lang}" for lang, text in by_language.items() if lang not in LANGUAGES or not isinstance(text, str)
        ]
    return bad


def cmd_tenant_bot(args: argparse.Namespace) -> int:
    """Set the Chatwoot bot's default language and its own wording of the fixed messages."""
    import json
    from dataclasses import replace
    from pathlib import Path

    from switchboard.bootstrap import services
    from switchboard.core.bot_texts import TEXTS

    store = services().store
    tenant = _existing(store, args.tenant)
    if tenant is None:
        return 2
    bot = dict(tenant.settings.bot)
    if args.language:
        bot["language"] = args.language
    if args.texts:
        try:
            texts = json.loads(Path(args.texts).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            err(f"cannot read {args.texts}: {exc}")
            return 2
        bad = _bad_texts(texts)
        if bad:
            err(f"unknown keys or languages: {', '.join(bad)} (keys: {', '.join(TEXTS)}; languages: en, mn)")
            return 2
        bot["texts"] = texts
    store.save_tenant(replace(tenant, settings=replace(tenant.settings, bot=bot)))
    out(json.dumps(bot, ensure_ascii=False, indent=1))
    return 0


def cmd_tenant_kommo(args: argparse.Namespace) -> int:
    """Connect a tenant to its Kommo account and print the key its webhook URL carries."""
    from dataclasses import replace

    from switchboard.bootstrap import services
    from switchboard.channels.auth import hash_api_key

    store = services().store
    tenant = _existing(store, args.tenant)
    if tenant is None:
        return 2
    kommo = {"account_id": args.account_id, "subdomain": args.subdomain.lower()}
    store.save_tenant(replace(tenant, settings=replace(tenant.settings, kommo=kommo)))
    key = "kw_" + secrets.token_urlsafe(32)
    store.add_api_key(hash_api_key(key), args.tenant, kind="kommo")
    err(f"tenant {args.tenant} answers Kommo account {args.account_id} ({args.subdomain}.kommo.com).")
    err("Its webhook URL (the key is shown once and stored hashed): <base>/api/kommo/chat/webhook?key=")
    out(key)
    return 0


def cmd_tenant_set_instructions(args: argparse.Namespace) -> int:
    """Set the tenant's AI instructions (the Kommo Salesbot spec's editor; the tenant-settings spec's manual prompt) from a file."""
    from dataclasses import replace

    from switchboard.bootstrap import services

    try:
        text = Path(args.file).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        err(f"cannot read {args.file}: {exc.strerror if isinstance(exc, OSError) else 'not UTF-8 text'}")
        return 2
    if len(text) > 20000:
        err("instructions are over 20,000 characters")
        return 2
    store = services().store
    tenant = _existing(store, args.tenant)
    if tenant is None:
        return 2
    prompts = replace(tenant.settings.prompts, manual_prompt=text)
    store.save_tenant(replace(tenant, settings=replace(tenant.settings, prompts=prompts)))
    out(
        f"tenant {args.tenant}: instructions set ({len(text)} characters); instances pick them up within "
        f"TENANT_CACHE_SECONDS ({services().settings.tenant_cache_seconds:g} s)"
    )
    return 0


def cmd_tenant_show(args: argparse.Namespace) -> int:
    """Print a tenant's settings and today's usage counters as JSON."""
    from dataclasses import asdict

    from switchboard.bootstrap import services

    store = services().store
    tenant = store.get_tenant(args.tenant)
    if tenant is None:
        err(f"no tenant {args.tenant}")
        return 2
    today = datetime.now(UTC).date().isoformat()
    shown = {**asdict(tenant), "usage_today": {"date": today, **store.daily_usage(args.tenant, today)}}
    out(json.dumps(shown, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_conversation_owner(args: argparse.Namespace) -> int:
    """Hand a conversation to a person, or back to the AI (with a fresh context)."""
    from switchboard.bootstrap import services
    from switchboard.core.turn import conversation_doc_id

    doc = conversation_doc_id(args.channel, args.key)
    services().escalations.set_conversation_owner(args.tenant, doc, args.owner, reset_context=args.owner == "ai")
    out(f"{doc}: owner is now {args.owner}")
    return 0


def register(sub: Commands) -> None:
    """Add the ``tenant`` and ``conversation`` commands."""
    tenant = sub.add_parser("tenant", help="tenants and API keys").add_subparsers(dest="tenant_command", required=True)
    create = tenant.add_parser("create", help="create a tenant and print an API key")
    create.add_argument("--tenant", required=True, type=tenant_id)
    create.add_argument("--name")
    create.set_defaults(func=cmd_tenant_create, needs_store=True)
    add_key = tenant.add_parser("add-key", help="print a new API key for a tenant (or a platform key)")
    whose = add_key.add_mutually_exclusive_group(required=True)
    whose.add_argument("--tenant", type=tenant_id)
    whose.add_argument("--platform", action="store_true", help="an operator's key for the views across every tenant")
    add_key.add_argument(
        "--role", choices=["chat", "admin"], default="chat", help="chat (the CRM API, default) or admin (/api/v1/ai/)"
    )
    add_key.set_defaults(func=cmd_tenant_add_key, needs_store=True)

    kommo = tenant.add_parser("kommo", help="connect a tenant to a Kommo account and print its webhook key")
    kommo.add_argument("--tenant", required=True, type=tenant_id)
    kommo.add_argument("--account-id", required=True, type=int)
    kommo.add_argument("--subdomain", required=True)
    kommo.set_defaults(func=cmd_tenant_kommo, needs_store=True)

    bot = tenant.add_parser("bot", help="the Chatwoot bot's default language and wording of its fixed messages")
    bot.add_argument("--tenant", required=True, type=tenant_id)
    bot.add_argument("--language", choices=["en", "mn"])
    bot.add_argument("--texts", help='a JSON file: {"ask_email": {"en": "...", "mn": "..."}, ...}')
    bot.set_defaults(func=cmd_tenant_bot, needs_store=True)

    instructions = tenant.add_parser("set-instructions", help="set the AI instructions from a text file")
    instructions.add_argument("--tenant", required=True, type=tenant_id)
    instructions.add_argument("file")
    instructions.set_defaults(func=cmd_tenant_set_instructions, needs_store=True)
    show = tenant.add_parser("show", help="print a tenant's settings")
    show.add_argument("--tenant", required=True, type=tenant_id)
    show.set_defaults(func=cmd_tenant_show, needs_store=True)

    conversation = sub.add_parser("conversation", help="conversations").add_subparsers(
        dest="conv_command", required=True
    )
    owner = conversation.add_parser("owner", help="hand a conversation to a person or back to the AI")
    owner.add_argument("--tenant", required=True, type=tenant_id)
    owner.add_argument("--channel", required=True, choices=["crm", "kommo", "chatwoot", "cli"])
    owner.add_argument("--key", required=True, help="conversation key, e.g. lead-123-contact-456 for Kommo")
    owner.add_argument("owner", choices=["ai", "human"])
    owner.set_defaults(func=cmd_conversation_owner, needs_store=True)
