"""``switchboard kommo send``, ``switchboard chatwoot send`` and ``switchboard dev``: the local dev
stack and tools to poke it."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from switchboard.cli.common import Commands, err, out


def cmd_kommo_send(args: argparse.Namespace) -> int:
    """Sign a Salesbot widget_request with the dev stack's Kommo secret and post it (local only)."""
    import time
    import uuid
    from urllib.parse import urlencode

    import httpx
    import jwt

    from switchboard.devtools.local import running_dev_stack, state_dir
    from switchboard.devtools.stack import DEV_KOMMO_ACCOUNT, DEV_KOMMO_SUBDOMAIN

    running = running_dev_stack()
    if not running or not running.get("kommo_stand_in"):
        err("no dev stack with the Kommo stand-in is running; start `make dev` first")
        return 2
    secret = (state_dir() / "dev-kommo-secret").read_text().strip()
    key = (state_dir() / "dev-kommo-key").read_text().strip()
    now = time.time()
    claims = {
        "account_id": int(DEV_KOMMO_ACCOUNT),
        "subdomain": DEV_KOMMO_SUBDOMAIN,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "entity_type": 2,
        "entity_id": int(args.lead),
        "bot_type": "salesbot",
    }
    return_url = f"{running['kommo_stand_in']}/api/v4/salesbot/1/continue/{uuid.uuid4().hex[:12]}"
    body = urlencode(
        {
            "token": jwt.encode(claims, secret, algorithm="HS512"),
            "data[message]": args.message,
            "data[lead_id]": args.lead,
            "data[contact_id]": args.contact,
            "data[contact_name]": args.name,
            "return_url": return_url,
        }
    )
    url = f"{running['base_url']}/api/kommo/chat/webhook?key={key}"
    response = httpx.post(url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    out(f"{response.status_code} {response.text.strip()}  (the continue call shows up in the make dev output)")
    return 0 if response.status_code == 200 else 1


def cmd_chatwoot_send(args: argparse.Namespace) -> int:
    """Post a signed agent-bot event to the running dev stack, as Chatwoot would (local only)."""
    import json
    import time

    import httpx

    from switchboard.devtools.local import running_dev_stack, state_dir
    from switchboard.devtools.standins.chatwoot import bot_event, signature_headers

    running = running_dev_stack()
    if not running or not running.get("chatwoot_bot_secret_file"):
        err("no dev stack with the Chatwoot stand-in is running; start `make dev` first")
        return 2
    status = args.status or "pending"
    if not args.status:  # what the stand-in says now (open after a handoff), as Chatwoot would send
        try:
            seen = json.loads((state_dir() / "standins" / "chatwoot.json").read_text())
            found = [c for c in seen.get("conversations", []) if c.get("id") == args.conversation]
            status = str(found[0].get("status", "pending")) if found else "pending"
        except (OSError, ValueError):
            pass
    secret = Path(running["chatwoot_bot_secret_file"]).read_text().strip()
    event = bot_event(args.message, args.conversation, int(time.time() * 1000) % 2**31, args.contact, status)
    raw = json.dumps(event).encode()
    url = f"{running['base_url']}/api/chatwoot/bot"
    response = httpx.post(url, content=raw, headers=signature_headers(raw, secret), timeout=10)
    out(f"{response.status_code} {response.text.strip()}  (the bot's reply shows up in the make dev output)")
    return 0 if response.status_code == 200 else 1


def cmd_dev(args: argparse.Namespace) -> int:
    """Run the whole system locally (what `make dev` runs)."""
    from switchboard.devtools.stack import run_dev_stack

    return run_dev_stack(port=args.port)


def register_kommo(sub: Commands) -> None:
    """Add ``kommo send``."""
    kommo = sub.add_parser("kommo", help="Kommo tools").add_subparsers(dest="kommo_command", required=True)
    send = kommo.add_parser("send", help="post a signed Salesbot widget_request to the running dev stack")
    send.add_argument("--lead", default="1001")
    send.add_argument("--contact", default="2002")
    send.add_argument("--name", default="Jane Smith")
    send.add_argument("message")
    send.set_defaults(func=cmd_kommo_send, needs_store=False)


def register_chatwoot(sub: Commands) -> None:
    """Add ``chatwoot send``."""
    chatwoot = sub.add_parser("chatwoot", help="Chatwoot bot tools").add_subparsers(
        dest="chatwoot_command", required=True
    )
    send = chatwoot.add_parser("send", help="post a signed agent-bot message event to the running dev stack")
    send.add_argument("--conversation", type=int, default=1, help="conversation id (default 1)")
    send.add_argument("--contact", type=int, default=42, help="contact id (default 42)")
    send.add_argument("--status", choices=["pending", "open", "resolved"], help="default: what the stand-in says")
    send.add_argument("message")
    send.set_defaults(func=cmd_chatwoot_send, needs_store=False)


def cmd_openapi(args: argparse.Namespace) -> int:
    """Regenerate the OpenAPI document (docs/openapi.json and the copy the health function serves)."""
    from switchboard.devtools.openapi import write

    for path in write():
        out(f"wrote {path}")
    return 0


def register_dev(sub: Commands) -> None:
    """Add ``dev`` and ``openapi``."""
    openapi = sub.add_parser("openapi", help="regenerate docs/openapi.json from the request and response models")
    openapi.set_defaults(func=cmd_openapi, needs_store=False)
    dev = sub.add_parser("dev", help="run the whole system locally (make dev)")
    dev.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    dev.set_defaults(func=cmd_dev, needs_store=False)
