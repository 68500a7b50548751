"""The bot's HTTP backend (bot/keepalive_request.py) against real sockets.

PTB's own ``Bot`` talks through it to the fake Bot API server (JSON calls,
uploads, keep-alive), and small raw servers play the awkward parts of real
HTTP: chunked answers, a server that drops an idle connection, one that
never answers, one that closes after each answer, nobody listening.
"""

from __future__ import annotations

import asyncio
import io
import json
import socket
from collections.abc import Awaitable, Callable

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.fake_telegram import FakeTelegram
from bot.keepalive_request import KeepAliveRequest, proxy_configured
from bot.telegram import BotSettings, build_application


@pytest.fixture()
def fake():
    with FakeTelegram() as server:
        yield server


async def test_bot_calls_share_one_kept_alive_connection(fake: FakeTelegram) -> None:
    bot = Bot(fake.token, base_url=fake.base_url, request=KeepAliveRequest())
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Сварщик 7212", callback_data="pick:7212")]])
    async with bot:
        for number in range(20):
            message = await bot.send_message(42, f"Сообщение {number} — қазақша да", reply_markup=keyboard)
            assert message.chat.id == 42
    sent = fake.sent(42)
    assert [s.text for s in sent] == [f"Сообщение {n} — қазақша да" for n in range(20)]
    assert sent[-1].buttons == [("Сварщик 7212", "pick:7212")]
    assert fake.connections == 1  # getMe and twenty messages over one socket


async def test_telegram_errors_come_back_as_ptb_errors(fake: FakeTelegram) -> None:
    bot = Bot(fake.token, base_url=fake.base_url, request=KeepAliveRequest())
    async with bot:
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(42, "х" * 5000)
        assert (await bot.send_message(42, "после ошибки")).text == "после ошибки"  # the connection is still usable


async def test_uploads_go_through_httpx(fake: FakeTelegram) -> None:
    bot = Bot(fake.token, base_url=fake.base_url, request=KeepAliveRequest())
    async with bot:
        await bot.send_photo(42, io.BytesIO(b"\x89PNG\r\n\x1a\n fake chart"), caption="2512 · Астана")
    (photo,) = fake.sent(42, method="sendPhoto")
    assert photo.text == "2512 · Астана" and photo.params["photo"].startswith("<file")


# -- raw servers ---------------------------------------------------------------------------------

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _serve(handler: Handler) -> tuple[asyncio.AbstractServer, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/botTOKEN/getMe"


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")), 0)
    return await reader.readexactly(length) if length else b""


def _answer(body: bytes, extra: str = "") -> bytes:
    return f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


OK = json.dumps({"ok": True, "result": True}).encode()


async def test_chunked_answers_are_read_whole() -> None:
    async def handler(reader, writer):
        await _read_request(reader)
        body = json.dumps({"ok": True, "result": {"text": "бөлік " * 2000}}, ensure_ascii=False).encode()
        chunks = [body[i:i + 1000] for i in range(0, len(body), 1000)]
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for chunk in chunks:
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    server, url = await _serve(handler)
    async with server, KeepAliveRequest() as request:
        result = await request.post(url)
    assert result["text"] == "бөлік " * 2000


async def test_a_dropped_idle_connection_is_replaced_without_an_error() -> None:
    served = []

    async def handler(reader, writer):  # answers one request, then hangs up without saying so
        served.append(await _read_request(reader))
        writer.write(_answer(OK))
        await writer.drain()
        writer.close()

    server, url = await _serve(handler)
    async with server, KeepAliveRequest() as request:
        assert await request.post(url) is True
        await asyncio.sleep(0.05)  # the close reaches us while the connection is idle
        assert await request.post(url) is True
        assert await request.post(url) is True
    assert len(served) == 3


async def test_connection_close_is_honoured() -> None:
    connections = []

    async def handler(reader, writer):
        connections.append(writer)
        await _read_request(reader)
        writer.write(_answer(OK, "Connection: close\r\n"))
        await writer.drain()
        writer.close()

    server, url = await _serve(handler)
    async with server, KeepAliveRequest() as request:
        for _ in range(3):
            assert await request.post(url) is True
    assert len(connections) == 3


async def test_a_silent_server_times_out() -> None:
    async def handler(reader, writer):
        await _read_request(reader)
        await asyncio.sleep(5)

    server, url = await _serve(handler)
    async with server, KeepAliveRequest(read_timeout=0.2) as request:
        with pytest.raises(TimedOut):
            await request.post(url)


async def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens there
    async with KeepAliveRequest(connect_timeout=1) as request:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/botTOKEN/getMe")


async def test_an_unsupported_url_is_a_network_error() -> None:
    async with KeepAliveRequest() as request:
        with pytest.raises(NetworkError):
            await request.post("ftp://example.kz/botTOKEN/getMe")


# -- which backend the bot uses --------------------------------------------------------------------


def test_the_bot_uses_keep_alive_unless_told_otherwise(fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.service import KasipService

    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    service = KasipService.__new__(KasipService)  # build_application only wires it in
    lean = build_application(BotSettings(fake.token, fake.base_url), service)
    assert isinstance(lean.bot.request, KeepAliveRequest)
    plain = build_application(BotSettings(fake.token, fake.base_url, http_client="httpx"), service)
    assert isinstance(plain.bot.request, HTTPXRequest)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.kz:3128")
    assert proxy_configured()
    proxied = build_application(BotSettings(fake.token, fake.base_url), service)
    assert isinstance(proxied.bot.request, HTTPXRequest)  # only httpx knows the proxy
