"""A local fake of the Telegram Bot API, for offline tests and ``kasip bench bot``.

It speaks HTTP on 127.0.0.1 the way api.telegram.org does — ``/bot<token>/<method>``,
form-encoded or multipart parameters, answers shaped ``{"ok": true, "result": …}``
or Telegram's errors ``{"ok": false, "error_code": 400, "description": "Bad Request: …"}`` —
for the methods Kasip uses: getMe, deleteWebhook, setWebhook, getUpdates
(long polling with offset), sendMessage, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, setMyCommands, sendPhoto and
sendDocument.  Like Telegram it rejects empty or over-long texts and
callback data over 64 bytes.

Tests drive it from the same process: ``push_text``, ``push_callback``,
``push_sticker``… queue updates as a person would send them, and ``sent``
and ``wait_for`` read what the bot answered.  Real `kasip bot` processes
point at it with ``TELEGRAM_API_BASE_URL=http://127.0.0.1:PORT/bot``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "Kasip", "username": "kasip_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
LONG_POLL_CAP = 1.0


@dataclass
class Sent:
    """One call the bot made that a person would see (or that changed what they see)."""

    method: str
    chat_id: int | None
    text: str | None
    buttons: list[tuple[str, str]] = field(default_factory=list)
    message_id: int | None = None
    at: float = field(default_factory=time.monotonic)
    params: dict[str, Any] = field(default_factory=dict)


class FakeTelegram:
    """The server and its state; use as a context manager or call start()/stop()."""

    def __init__(self, token: str = "123456:TEST-TOKEN", fail_methods: set[str] | None = None):
        self.token = token
        self.fail_methods = set(fail_methods or ())
        self._updates: list[dict] = []
        self._sent: list[Sent] = []
        self._sent_by_chat: dict[int | None, list[Sent]] = {}  # a person's messages without scanning everyone's
        self._commands: dict[str, list] = {}
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)  # new updates for getUpdates
        self._chat_conds: dict[int | None, threading.Condition] = {}  # new messages, per chat
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self.calls: list[str] = []
        self.connections = 0  # TCP connections the bot opened (keep-alive keeps this small)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Telegram's servers do
            disable_nagle_algorithm = True  # headers and body go out as two writes

            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake.connections += 1

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                fake._serve(self)

            def do_GET(self) -> None:  # noqa: N802
                fake._serve(self)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            self._cond.notify_all()
            for cond in self._chat_conds.values():
                cond.notify_all()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    # -- what a person does -----------------------------------------------------------------

    def _user(self, user_id: int, language_code: str | None) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def _message(self, user_id: int, language_code: str | None, **content: Any) -> dict:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": f"User{user_id}"},
            "from": self._user(user_id, language_code),
            **content,
        }

    def _push(self, update: dict) -> int:
        with self._cond:
            update["update_id"] = next(self._update_ids)
            self._updates.append(update)
            self._cond.notify_all()
            return update["update_id"]

    def push_text(self, user_id: int, text: str, language_code: str | None = "ru") -> int:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._push({"message": self._message(user_id, language_code, **content)})

    def push_callback(self, user_id: int, data: str, message_id: int | None = None, language_code: str | None = "ru") -> int:
        message = self._message(user_id, language_code, text="…")
        message["from"] = BOT_USER
        if message_id is not None:
            message["message_id"] = message_id
        return self._push({"callback_query": {
            "id": str(next(self._callback_ids)), "from": self._user(user_id, language_code),
            "message": message, "chat_instance": f"ci{user_id}", "data": data,
        }})

    def push_sticker(self, user_id: int) -> int:
        sticker = {"file_id": "s1", "file_unique_id": "s1u", "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}
        return self._push({"message": self._message(user_id, "ru", sticker=sticker)})

    def push_voice(self, user_id: int) -> int:
        return self._push({"message": self._message(user_id, "ru", voice={"file_id": "v1", "file_unique_id": "v1u", "duration": 3})})

    def push_photo(self, user_id: int) -> int:
        photo = [{"file_id": "p1", "file_unique_id": "p1u", "width": 90, "height": 90}]
        return self._push({"message": self._message(user_id, "ru", photo=photo)})

    def push_location(self, user_id: int) -> int:
        return self._push({"message": self._message(user_id, "ru", location={"latitude": 51.16, "longitude": 71.47})})

    def push_document(self, user_id: int) -> int:
        return self._push({"message": self._message(user_id, "ru", document={"file_id": "d1", "file_unique_id": "d1u", "file_name": "cv.pdf"})})

    # -- what the bot did ------------------------------------------------------------------------

    def sent(self, chat_id: int | None = None, method: str | None = "sendMessage") -> list[Sent]:
        with self._cond:
            pool = self._sent if chat_id is None else self._sent_by_chat.get(chat_id, [])
            return [s for s in pool if method is None or s.method == method]

    def _chat_cond(self, chat_id: int | None) -> threading.Condition:
        with self._lock:
            return self._chat_conds.setdefault(chat_id, threading.Condition(self._lock))

    def wait_for(self, chat_id: int, count: int, timeout: float = 20.0, method: str | None = "sendMessage") -> list[Sent]:
        """Block until the bot has sent *count* messages to *chat_id* in all; return them all."""
        deadline = time.monotonic() + timeout
        cond = self._chat_cond(chat_id)
        with cond:
            while True:
                found = [s for s in self._sent_by_chat.get(chat_id, []) if method is None or s.method == method]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"chat {chat_id}: {len(found)} of {count} messages after {timeout} s: {[s.text for s in found]}")
                cond.wait(remaining)

    def commands(self) -> dict[str, list]:
        with self._cond:
            return dict(self._commands)

    # -- the HTTP side -------------------------------------------------------------------------

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        prefix = f"/bot{self.token}/"
        if not parts.path.startswith(prefix):
            self._reply(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        method = parts.path[len(prefix):]
        params = dict(parse_qsl(parts.query))
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        params.update(self._parse_body(request.headers.get("Content-Type", ""), body))
        with self._cond:
            self.calls.append(method)
        if method in self.fail_methods:
            self._reply(request, 500, {"ok": False, "error_code": 500, "description": "Internal Server Error: injected failure"})
            return
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            self._reply(request, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
            return
        try:
            result = handler(params)
        except BadRequest as error:
            self._reply(request, 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"})
            return
        self._reply(request, 200, {"ok": True, "result": result})

    @staticmethod
    def _parse_body(content_type: str, body: bytes) -> dict[str, str]:
        if not body:
            return {}
        if content_type.startswith("application/json"):
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()}
        if content_type.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
            fields: dict[str, str] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name and part.get_filename() is None:
                    fields[name] = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
                elif name:
                    fields[name] = f"<file {part.get_filename()}>"
            return fields
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot stopped while a long poll was open

    # -- methods ---------------------------------------------------------------------------------

    def _api_getMe(self, params: dict) -> dict:  # noqa: N802 (Telegram's method names)
        return BOT_USER

    def _api_deleteWebhook(self, params: dict) -> bool:  # noqa: N802
        return True

    def _api_setWebhook(self, params: dict) -> bool:  # noqa: N802
        return True

    def _api_getUpdates(self, params: dict) -> list[dict]:  # noqa: N802
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        deadline = time.monotonic() + timeout
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return list(self._updates[: int(params.get("limit") or 100)])

    def _record(self, method: str, params: dict, text: str | None) -> Sent:
        markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else {}
        buttons = []
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data", "")
                if not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise BadRequest("BUTTON_DATA_INVALID")
                buttons.append((button.get("text", ""), data))
        chat_id = int(params["chat_id"]) if params.get("chat_id") not in (None, "") else None
        record = Sent(method, chat_id, text, buttons, next(self._message_ids), params=params)
        cond = self._chat_cond(chat_id)
        with cond:
            self._sent.append(record)
            self._sent_by_chat.setdefault(chat_id, []).append(record)
            cond.notify_all()
        return record

    def _message_result(self, record: Sent, **extra: Any) -> dict:
        return {"message_id": record.message_id, "date": int(time.time()), "from": BOT_USER,
                "chat": {"id": record.chat_id, "type": "private"}, **extra}

    def _api_sendMessage(self, params: dict) -> dict:  # noqa: N802
        text = params.get("text") or ""
        if not text.strip():
            raise BadRequest("message text is empty")
        if len(text) > MAX_TEXT:
            raise BadRequest("message is too long")
        if not params.get("chat_id"):
            raise BadRequest("chat not found")
        record = self._record("sendMessage", params, text)
        return self._message_result(record, text=text)

    def _api_editMessageText(self, params: dict) -> dict:  # noqa: N802
        record = self._record("editMessageText", params, params.get("text"))
        return self._message_result(record, text=params.get("text") or "")

    def _api_editMessageReplyMarkup(self, params: dict) -> bool:  # noqa: N802
        self._record("editMessageReplyMarkup", params, None)
        return True

    def _api_answerCallbackQuery(self, params: dict) -> bool:  # noqa: N802
        if not params.get("callback_query_id"):
            raise BadRequest("query is too old and response timeout expired or query ID is invalid")
        return True

    def _api_setMyCommands(self, params: dict) -> bool:  # noqa: N802
        commands = json.loads(params.get("commands") or "[]")
        with self._cond:
            self._commands[params.get("language_code") or ""] = commands
        return True

    def _api_sendPhoto(self, params: dict) -> dict:  # noqa: N802
        record = self._record("sendPhoto", params, params.get("caption"))
        return self._message_result(record, photo=[{"file_id": "x", "file_unique_id": "xu", "width": 1, "height": 1}])

    def _api_sendDocument(self, params: dict) -> dict:  # noqa: N802
        record = self._record("sendDocument", params, params.get("caption"))
        return self._message_result(record, document={"file_id": "y", "file_unique_id": "yu"})


class BadRequest(Exception):
    """Telegram's 400 answers."""
