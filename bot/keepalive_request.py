"""A lean HTTP/1.1 keep-alive backend for python-telegram-bot: the bot's hot path without httpx's layers.

Why it exists: under load every update costs one ``sendMessage``, and py-spy
put a quarter of the bot's CPU inside httpx (request models, auth and
redirect hooks, anyio streams, its connection pool) for what is always the
same thing — one small JSON POST on a connection already open.  This
backend does just that: JSON bodies (which the Bot API accepts for every
method) over asyncio streams, responses parsed by ``h11`` (the HTTP/1.1
parser httpx uses underneath), TLS verified against certifi's roots.

What it does not do it hands to PTB's own :class:`~telegram.request.HTTPXRequest`:
uploads (``multipart/form-data``: the vacancy chart) always, and everything
when a proxy is configured in the environment (httpx honours those
variables; this class does not).  ``KASIP_HTTP_CLIENT=httpx`` switches the
whole bot back to httpx.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import h11
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
READ_CHUNK = 65536


def proxy_configured(environ: dict[str, str] | None = None) -> bool:
    """True when the environment names a proxy: then only httpx knows how to reach Telegram."""
    environ = os.environ if environ is None else environ
    return any(environ.get(name) for name in PROXY_VARIABLES)


@dataclass(frozen=True)
class _Origin:
    scheme: str
    host: str
    port: int

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


class _Connection:
    """One open socket and the h11 state machine that frames what goes over it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.protocol = h11.Connection(h11.CLIENT)

    def reusable(self) -> bool:
        return self.protocol.our_state is h11.IDLE and not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class _NothingReceived(Exception):
    """A kept-alive connection failed before any answer came back: safe to try a fresh one."""


class KeepAliveRequest(BaseRequest):
    """PTB's networking interface over a small pool of kept-alive HTTP/1.1 connections."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ):
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._pool_size = connection_pool_size
        self._slots: asyncio.Semaphore | None = None
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._targets: dict[str, tuple[_Origin, str]] = {}
        self._ssl: ssl.SSLContext | None = None
        self._uploads = HTTPXRequest(
            connection_pool_size=min(connection_pool_size, 8),
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        await self._uploads.initialize()

    async def shutdown(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
        await self._uploads.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            return await self._uploads.do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        origin, target = self._target(url)
        body = request_data.json_payload if request_data is not None and request_data.parameters else b""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._pool_size)
        try:
            async with asyncio.timeout(_seconds(pool_timeout, self._pool_timeout)):
                await self._slots.acquire()
        except TimeoutError as error:
            raise TimedOut(
                "Pool timeout: all connections are busy; the request was not sent to Telegram."
            ) from error
        try:
            timeouts = (
                _seconds(connect_timeout, self._connect_timeout),
                _seconds(write_timeout, self._write_timeout),
                _seconds(read_timeout, self._read_timeout),
            )
            connection = self._take_idle(origin)
            if connection is not None:
                try:
                    return await self._exchange(connection, origin, method, target, body, timeouts)
                except _NothingReceived:
                    pass  # the server closed the idle connection meanwhile: one fresh attempt below
            connection = await self._open(origin, timeouts[0])
            try:
                return await self._exchange(connection, origin, method, target, body, timeouts)
            except _NothingReceived as error:
                raise NetworkError(f"connection to {origin.host} closed before an answer") from error
        finally:
            self._slots.release()

    # -- connections -----------------------------------------------------------------------

    def _target(self, url: str) -> tuple[_Origin, str]:
        """Origin and request target of *url*, parsed once per distinct URL (there are a dozen)."""
        found = self._targets.get(url)
        if found is None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise NetworkError(f"unsupported URL scheme or host in {parts.scheme}://{parts.hostname}")
            port = parts.port or (443 if parts.scheme == "https" else 80)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            found = (_Origin(parts.scheme, parts.hostname, port), target)
            if len(self._targets) < 1024:
                self._targets[url] = found
        return found

    def _take_idle(self, origin: _Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.reusable():
                return connection
            connection.close()
        return None

    async def _open(self, origin: _Origin, connect_timeout: float | None) -> _Connection:
        context = self._ssl_context() if origin.scheme == "https" else None
        try:
            async with asyncio.timeout(connect_timeout):
                reader, writer = await asyncio.open_connection(
                    origin.host, origin.port, ssl=context, server_hostname=origin.host if context else None
                )
        except TimeoutError as error:
            raise TimedOut(f"connecting to {origin.host} timed out") from error
        except OSError as error:
            raise NetworkError(f"cannot connect to {origin.host}: {error}") from error
        return _Connection(reader, writer)

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context(cafile=certifi.where())
        return self._ssl

    # -- one request and its answer --------------------------------------------------------

    async def _exchange(
        self,
        connection: _Connection,
        origin: _Origin,
        method: str,
        target: str,
        body: bytes,
        timeouts: tuple[float | None, float | None, float | None],
    ) -> tuple[int, bytes]:
        _, write_timeout, read_timeout = timeouts
        protocol = connection.protocol
        headers = [("Host", origin.host_header), ("User-Agent", self.USER_AGENT), ("Content-Length", str(len(body)))]
        if body:
            headers.append(("Content-Type", "application/json"))
        received = False
        try:
            request = protocol.send(h11.Request(method=method, target=target, headers=headers))
            if body:
                request += protocol.send(h11.Data(data=body))
            request += protocol.send(h11.EndOfMessage())
            connection.writer.write(request)
            async with asyncio.timeout(write_timeout):
                await connection.writer.drain()
            status = 0
            chunks: list[bytes] = []
            async with asyncio.timeout(read_timeout):
                while True:
                    event = protocol.next_event()
                    if event is h11.NEED_DATA:
                        data = await connection.reader.read(READ_CHUNK)
                        received = received or bool(data)
                        protocol.receive_data(data)
                    elif isinstance(event, h11.Response):
                        status = event.status_code
                    elif isinstance(event, h11.Data):
                        chunks.append(bytes(event.data))
                    elif isinstance(event, h11.EndOfMessage):
                        break
                    elif isinstance(event, h11.ConnectionClosed):
                        raise ConnectionResetError("the server closed the connection")
        except TimeoutError as error:
            connection.close()
            raise TimedOut(f"no answer from {origin.host} in time") from error
        except (OSError, h11.ProtocolError, asyncio.IncompleteReadError) as error:
            connection.close()
            if not received:
                raise _NothingReceived from error
            raise NetworkError(f"{type(error).__name__}: {error}") from error
        except BaseException:
            connection.close()  # cancelled mid-answer: the connection's framing is unknown
            raise
        self._give_back(connection, origin)
        return status, b"".join(chunks)

    def _give_back(self, connection: _Connection, origin: _Origin) -> None:
        protocol = connection.protocol
        if protocol.our_state is h11.DONE and protocol.their_state is h11.DONE:
            protocol.start_next_cycle()
            idle = self._idle.setdefault(origin, [])
            if len(idle) < self._pool_size:
                idle.append(connection)
                return
        connection.close()


def _seconds(given: object, default: float | None) -> float | None:
    """A timeout PTB passed explicitly (a number or None), else this request's default."""
    if given is None or isinstance(given, (int, float)):
        return given  # type: ignore[return-value]
    return default
