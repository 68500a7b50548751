"""``kasip bot``: run the Telegram bot (long polling by default, or a webhook server).

    kasip bot                                   # long polling; TELEGRAM_BOT_TOKEN from the environment
    kasip bot --health-port 8080                # also answer GET /healthz (for containers)
    kasip bot --webhook-url https://example.kz/kasip/hook --listen 127.0.0.1 --port 8443 --secret-token S

Every flag can also come from the environment (KASIP_WEBHOOK_URL,
KASIP_LISTEN, KASIP_PORT, KASIP_WEBHOOK_SECRET, KASIP_HEALTH_PORT).  The
token is read from TELEGRAM_BOT_TOKEN only, and never logged.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

POLL_INTERVAL = 0.01
"""Seconds between two getUpdates calls.  With 0, under load each call brings back about one update,
so every update costs a second HTTP round trip; a pause this short (far below what people notice)
lets updates gather and cuts the bot's HTTP work when it is busiest (`kasip bench bot`)."""

CONCURRENT_UPDATES = 16
"""Updates in progress at once.  Turns are synchronous CPU work, so this does not run them in
parallel; it lets the bot start the next person's turn while a reply is still on its way to
Telegram, instead of waiting out every round trip.  One person's turns still run in order."""

log = logging.getLogger("kasip.bot")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("bot", help="run the Telegram bot")
    parser.add_argument("--webhook-url", default=os.environ.get("KASIP_WEBHOOK_URL"), help="public HTTPS URL of the webhook")
    parser.add_argument("--listen", default=os.environ.get("KASIP_LISTEN") or "127.0.0.1", help="address for the webhook or health server (0.0.0.0 in containers)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("KASIP_PORT") or "8443"), help="port for the webhook server")
    parser.add_argument("--secret-token", default=os.environ.get("KASIP_WEBHOOK_SECRET"), help="X-Telegram-Bot-Api-Secret-Token")
    parser.add_argument("--health-port", type=int, default=int(os.environ.get("KASIP_HEALTH_PORT") or "0"), help="serve /healthz in polling mode")
    parser.add_argument("--poll-interval", type=float, default=float(os.environ.get("KASIP_POLL_INTERVAL") or POLL_INTERVAL),
                        help=f"seconds between getUpdates calls in polling mode (default {POLL_INTERVAL})")
    parser.add_argument("--concurrent-updates", type=int,
                        default=int(os.environ.get("KASIP_CONCURRENT_UPDATES") or CONCURRENT_UPDATES),
                        help=f"updates in progress at once (default {CONCURRENT_UPDATES}; 1 = strictly one after another)")
    parser.add_argument("--no-rate-limit", action="store_true", help="do not pace outgoing messages (tests and benchmarks only)")
    parser.set_defaults(run=run)


def admin_ids(raw: str | None) -> frozenset[int]:
    found: set[int] = set()
    for part in (raw or "").replace(";", ",").split(","):
        part = part.strip()
        if part.lstrip("-").isdigit():
            found.add(int(part))
    return frozenset(found)


def build_service():
    """The service over the configured database, the classifier and the resolver."""
    from bot.dialog import Dialog
    from bot.service import KasipService
    from db.connection import open_database
    from db.conversations import ConversationStore
    from db.migrations import migrate
    from knowledge.resolver import get_resolver
    from knowledge.tree import load_tree

    db = open_database()
    migrate(db)
    from bot.vacancies import StoreVacancyFinder

    dialog = Dialog(load_tree(), get_resolver(), StoreVacancyFinder(db))
    warm_up(dialog)

    def reload() -> str:
        return reload_knowledge(dialog)

    return KasipService(ConversationStore(db), dialog, admin_ids(os.environ.get("KASIP_ADMIN_IDS")), reload=reload)


def warm_up(dialog) -> None:
    """Load everything the first person would otherwise wait for (knowledge, morphology, card texts)."""
    from bot.dialog import DialogState, Event, Step

    for lang, text in (("ru", "электросварщик"), ("kk", "мұғаліммін"), ("en", "welder")):
        dialog.handle(DialogState(step=Step.TITLE, lang=lang), Event.text(text))


def freeze_loaded_objects() -> None:
    """Exempt what is loaded by now (the index, the tree, the catalogues) from garbage collection.

    Why: they are a few hundred thousand objects that live as long as the
    process, and every full collection walked them all again — a pause of
    25 ms or more in the middle of someone's turn.  New objects are still
    collected as usual.
    """
    import gc

    gc.collect()
    gc.freeze()


def reload_knowledge(dialog) -> str:
    """Re-read the data files and rebuild what depends on them, in place."""
    from knowledge import group_knowledge, resolver, tree, version

    for cached in (tree.load_tree, group_knowledge.load_knowledge, resolver.get_resolver, version.data_version):
        cached.cache_clear()
    dialog.tree = tree.load_tree()
    dialog.resolver = resolver.get_resolver()
    return version.data_version()


def run(args: argparse.Namespace) -> int:
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        print("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it, or use `kasip chat`.", file=sys.stderr)
        return 2
    from bot.telegram import BotSettings, build_application, run_polling, run_webhook

    settings = BotSettings(
        token=token,
        base_url=os.environ.get("TELEGRAM_API_BASE_URL") or None,
        rate_limit=not args.no_rate_limit,
        alert_interval=float(os.environ.get("KASIP_ALERT_INTERVAL") or 60),
        http_client=os.environ.get("KASIP_HTTP_CLIENT") or "keepalive",
        concurrent_updates=max(1, args.concurrent_updates),
    )
    service = build_service()
    freeze_loaded_objects()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token in URLs
    logging.getLogger("tornado.access").setLevel(logging.WARNING)  # no line per health check or webhook call
    if args.webhook_url:
        application = build_application(settings, service, updater=False)
        log.info("starting the webhook server")
        run_webhook(application, args.webhook_url, args.listen, args.port, args.secret_token)
    else:
        application = build_application(settings, service)
        log.info("starting long polling")
        run_polling(application, args.health_port or None, args.listen, args.poll_interval)
    return 0
