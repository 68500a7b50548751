"""The Telegram transport: PTB updates in, :class:`bot.service.KasipService` turns, messages out.

Deliberately thin.  It maps an update to an event (text, command, button
press, or "something else" for stickers, photos, voice…), hands it to the
service, and sends the replies: merged into as few messages as fit
Telegram's 4,096 characters (so a turn is usually one message, within the
one-message-per-second-per-chat limit), with inline buttons on the last.

Also here: the rate limiter (30 messages/s overall, 1/s per chat), per-user
flood protection, the error handler, command registration per language,
and the two ways to run — long polling and a webhook server with a health
endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiolimiter import AsyncLimiter
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.dialog import MAX_CALLBACK_BYTES, Event, Reply
from bot.i18n import LANGUAGES, Texts
from bot.keepalive_request import KeepAliveRequest, proxy_configured
from bot.service import KasipService, Turn

log = logging.getLogger(__name__)

COMMANDS = ("start", "help", "new", "lang", "code", "vacancies", "summary", "forget", "about")
FLOOD_WINDOW_SECONDS = 10.0
FLOOD_MAX_UPDATES = 12


@dataclass(frozen=True)
class BotSettings:
    token: str
    base_url: str | None = None
    admin_ids: frozenset[int] = frozenset()
    rate_limit: bool = True
    alert_interval: float = 60.0  # seconds between checks for new vacancies for subscribers
    http_client: str = "keepalive"  # or "httpx" (PTB's default backend); see bot.keepalive_request
    concurrent_updates: int = 1  # updates in progress at once; each person's still run in order


class PerChatRateLimiter(AIORateLimiter):
    """Telegram's limits: 30 messages a second overall and one a second in each chat.

    PTB's limiter already paces the overall rate and groups; this adds the
    per-chat pace for private chats too.
    """

    def __init__(self) -> None:
        super().__init__(overall_max_rate=30, overall_time_period=1, max_retries=2)
        self._chat_limiters: dict[int, AsyncLimiter] = {}

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[override]
        limiter = self._chat_limiter(data.get("chat_id"))
        if limiter is None:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        async with limiter:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

    def _chat_limiter(self, chat_id: object) -> AsyncLimiter | None:
        if chat_id is None:
            return None
        try:
            key = int(chat_id)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if len(self._chat_limiters) > 4096:
            self._chat_limiters = {k: v for k, v in self._chat_limiters.items() if not v.has_capacity(1)}
        return self._chat_limiters.setdefault(key, AsyncLimiter(max_rate=1, time_period=1))


class FloodGuard:
    """Per-user protection: a person sending more than a dozen updates in ten seconds is asked to slow down."""

    def __init__(self, window: float = FLOOD_WINDOW_SECONDS, limit: int = FLOOD_MAX_UPDATES, keep: int = 10_000):
        self.window = window
        self.limit = limit
        self.keep = keep  # people tracked before those quiet for a whole window are forgotten
        self._seen: dict[int, deque[float]] = defaultdict(deque)
        self._warned: set[int] = set()

    def check(self, user_id: int) -> str:
        """"ok", "warn" (first update over the limit) or "drop"."""
        now = time.monotonic()
        if len(self._seen) > self.keep and user_id not in self._seen:
            self._forget_quiet(now)
        seen = self._seen[user_id]
        while seen and now - seen[0] > self.window:
            seen.popleft()
        seen.append(now)
        if len(seen) <= self.limit:
            self._warned.discard(user_id)
            return "ok"
        if user_id in self._warned:
            return "drop"
        self._warned.add(user_id)
        return "warn"

    def _forget_quiet(self, now: float) -> None:
        """Drop everyone with no update in the last window: their history no longer counts anyway."""
        quiet = [user for user, seen in self._seen.items() if not seen or now - seen[-1] > self.window]
        for user in quiet:
            del self._seen[user]
            self._warned.discard(user)


async def _answer(query) -> None:
    """Stop the button's spinner (stale presses are answered by the dialog), alongside the reply, not before it."""
    with contextlib.suppress(TelegramError):
        await query.answer()


def event_of(update: Update) -> Event:
    """What the person did, as the dialog understands it."""
    if update.callback_query is not None:
        return Event.button(update.callback_query.data or "")
    message = update.effective_message
    if message is not None and message.text is not None:
        text = message.text
        if text.startswith("/"):
            head, _, argument = text[1:].partition(" ")
            name = head.split("@", 1)[0]
            return Event.command(name, argument.strip())
        return Event.text(text)
    return Event.other()


def pack(replies: list[Reply]) -> list[Reply]:
    """Merge replies into as few Telegram messages as fit; buttons stay on the message they belong to."""
    messages: list[Reply] = []
    pending: list[str] = []
    for reply in replies:
        if reply.photo is not None:  # a picture travels alone, its text as the caption
            if pending:
                messages += _split("\n\n".join(pending), ())
                pending = []
            messages.append(reply)
            continue
        pending.append(reply.text)
        if reply.buttons:
            messages += _split("\n\n".join(pending), reply.buttons)
            pending = []
    if pending:
        messages += _split("\n\n".join(pending), ())
    return messages


def _split(text: str, buttons: tuple) -> list[Reply]:
    limit = MessageLimit.MAX_TEXT_LENGTH
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            chunks.append(current) if current else None
            current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current or not chunks:
        chunks.append(current or "…")
    return [Reply(chunk, buttons if i == len(chunks) - 1 else ()) for i, chunk in enumerate(chunks)]


def keyboard(buttons: tuple) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows = [[InlineKeyboardButton(b.label[:64], callback_data=b.data)] for b in buttons if 0 < len(b.data.encode()) <= MAX_CALLBACK_BYTES]
    return InlineKeyboardMarkup(rows) if rows else None


class TelegramTransport:
    """Glue between PTB and the service."""

    def __init__(self, service: KasipService):
        self.service = service
        self.flood = FloodGuard()
        # With concurrent updates PTB starts each update's task in arrival order; a lock per person,
        # taken before the first pause, keeps each person's turns in that order.  Only people with
        # a turn in flight have an entry: (their lock, how many of their turns hold or await it).
        self._turns_in_flight: dict[int, tuple[asyncio.Lock, int]] = {}

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        chat = update.effective_chat
        if user is None or chat is None or user.is_bot:
            return
        async with self._in_order(user.id):
            await self._turn(update, context, user, chat)

    @contextlib.asynccontextmanager
    async def _in_order(self, user_id: int) -> AsyncIterator[None]:
        lock, waiting = self._turns_in_flight.get(user_id) or (asyncio.Lock(), 0)
        self._turns_in_flight[user_id] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._turns_in_flight[user_id]
            if waiting == 1:
                del self._turns_in_flight[user_id]
            else:
                self._turns_in_flight[user_id] = (lock, waiting - 1)

    async def _turn(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user, chat) -> None:
        query = update.callback_query
        answering = asyncio.ensure_future(_answer(query)) if query is not None else None
        try:
            await self._respond(update, context, user, chat)
        finally:
            if answering is not None:
                await answering

    async def _respond(self, update: Update, context: ContextTypes.DEFAULT_TYPE, user, chat) -> None:
        verdict = self.flood.check(user.id)
        if verdict == "drop":
            return
        turn = Turn(user.id, chat.id, user.language_code)
        if verdict == "warn":
            stored = self.service.store.user(user.id)
            texts = Texts(stored.lang if stored and stored.lang else (user.language_code or "ru"))
            await context.bot.send_message(chat.id, texts("flood.slow_down"))
            return
        event = event_of(update)
        log.debug("update %s from user %s: %s", update.update_id, user.id, event.kind)
        replies = self.service.handle(turn, event)
        for message in pack(replies):
            if message.photo is not None:
                await context.bot.send_photo(chat.id, message.photo, caption=message.text[:1024], reply_markup=keyboard(message.buttons))
            else:
                await context.bot.send_message(chat.id, message.text, reply_markup=keyboard(message.buttons))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log with context (never message text); answer the person politely."""
        update_id = getattr(update, "update_id", None)
        user = getattr(update, "effective_user", None)
        log.error("error while handling update %s (user %s)", update_id, getattr(user, "id", None), exc_info=context.error)
        chat = getattr(update, "effective_chat", None)
        if chat is None:
            return
        stored = self.service.store.user(user.id) if user is not None else None
        lang = stored.lang if stored and stored.lang else getattr(user, "language_code", None) or "ru"
        with contextlib.suppress(Exception):
            await context.bot.send_message(chat.id, Texts(lang)("error.generic"))


async def deliver_alerts(application: Application, service: KasipService, interval: float) -> None:
    """Every *interval* seconds: send subscribers their new vacancies (paced by the rate limiter)."""
    while True:
        await asyncio.sleep(interval)
        try:
            for chat_id, reply, subscription_id, watermark in service.pending_alerts():
                try:
                    await application.bot.send_message(chat_id, reply.text[: MessageLimit.MAX_TEXT_LENGTH], reply_markup=keyboard(reply.buttons))
                except TelegramError as error:
                    log.warning("alert for subscription %s not delivered: %s", subscription_id, error)
                    continue
                service.alert_sent(subscription_id, watermark)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 — the loop must survive anything one round throws
            log.exception("vacancy alert round failed")


async def register_commands(application: Application) -> None:
    """setMyCommands per language; a failure here is logged, not fatal."""
    for lang in LANGUAGES:
        texts = Texts(lang)
        commands = [BotCommand(name, texts(f"cmd.{name}")) for name in COMMANDS]
        try:
            await application.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
        except (TelegramError, OSError) as error:
            log.warning("could not register the %s commands: %s", lang, error)


def build_application(settings: BotSettings, service: KasipService, updater: bool = True) -> Application:
    transport = TelegramTransport(service)
    builder = ApplicationBuilder().token(settings.token)
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if settings.http_client == "keepalive" and not proxy_configured():
        builder = builder.request(KeepAliveRequest()).get_updates_request(KeepAliveRequest(connection_pool_size=1))
    if settings.rate_limit:
        builder = builder.rate_limiter(PerChatRateLimiter())
    if not updater:
        builder = builder.updater(None)
    if settings.concurrent_updates > 1:
        builder = builder.concurrent_updates(settings.concurrent_updates)
    async def post_init(app: Application) -> None:
        await register_commands(app)
        if settings.alert_interval > 0:
            app.create_task(deliver_alerts(app, service, settings.alert_interval), name="vacancy-alerts")

    builder = builder.post_init(post_init)
    application = builder.build()
    application.add_handler(TypeHandler(Update, transport.on_update))
    application.add_error_handler(transport.on_error)
    application.bot_data["transport"] = transport
    return application


# -- running -------------------------------------------------------------------------------


def health_app(extra: list | None = None):
    """A tornado application answering GET /healthz (plus any extra routes)."""
    import tornado.web

    class Health(tornado.web.RequestHandler):
        def get(self) -> None:
            self.write("ok")

    return tornado.web.Application([(r"/healthz", Health), *(extra or [])])


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (KASIP_EVENT_LOOP=asyncio opts out), else asyncio's own loop.

    uvloop's sockets and callbacks cost the bot about a seventh less CPU per
    update under load (`kasip bench bot`); the dialog itself is unaffected.
    """
    if os.environ.get("KASIP_EVENT_LOOP", "uvloop") != "asyncio":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def run_polling(application: Application, health_port: int | None, listen: str, poll_interval: float) -> None:
    if health_port:
        previous: Callable[[Application], Awaitable[None]] | None = application.post_init

        async def post_init(app: Application) -> None:
            if previous:
                await previous(app)
            health_app().listen(health_port, address=listen)
            log.info("health endpoint on %s:%s", listen, health_port)

        application.post_init = post_init
    asyncio.set_event_loop(new_event_loop())  # PTB runs on the current loop and closes it when done
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=poll_interval)


def run_webhook(application: Application, webhook_url: str, listen: str, port: int, secret_token: str | None) -> None:
    """Our own small tornado server: the webhook path and /healthz on one port."""
    import tornado.web
    from urllib.parse import urlsplit

    path = urlsplit(webhook_url).path or "/"

    class Webhook(tornado.web.RequestHandler):
        async def post(self) -> None:
            if secret_token and self.request.headers.get("X-Telegram-Bot-Api-Secret-Token") != secret_token:
                self.set_status(403)
                return
            try:
                payload = json.loads(self.request.body or b"{}")
                update = Update.de_json(payload, application.bot)
            except (ValueError, TypeError, KeyError):
                self.set_status(400)
                return
            if update is not None:
                await application.update_queue.put(update)
            self.set_status(200)

    async def main() -> None:
        async with application:
            await application.bot.set_webhook(webhook_url, secret_token=secret_token, allowed_updates=Update.ALL_TYPES)
            if application.post_init:
                await application.post_init(application)
            await application.start()
            server = health_app([(path, Webhook)]).listen(port, address=listen)
            log.info("webhook server on %s:%s%s", listen, port, path)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            import signal

            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, stop.set)
            await stop.wait()
            server.stop()
            await application.stop()

    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(main())
