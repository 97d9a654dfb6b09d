"""A local HTTP server on 127.0.0.1 that answers from a script: recorded answers
(``tests/fixtures/wordpress_rest``), hand-written ones, or a delay (a timeout).

Each request takes the next answer of the script (the last one repeats); every
request is kept (method, path, headers, body) for the test to look at. Shared by
the platform client tests and the fetch tests.

Routes (``server.route(prefix, *replies)``): a request whose path (with its
query) starts with ``prefix`` takes the next answer of that route's own script
(the longest prefix wins; the last answer repeats), so a crawl that asks in an
order the test does not fix is still answered by what it asked for. Requests no
route matches take the plain script (a 404 when there is none).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECORDED = Path(__file__).parent / "fixtures" / "wordpress_rest"
RECORDED_HOST = "127.0.0.1:8080"


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    delay: float = 0.0
    """Seconds to wait before answering (longer than the client's read timeout: a timeout)."""
    cut: int | None = None
    """Send only this many bytes of the body, then close (a transfer cut short:
    ``Content-Length`` still says the whole body)."""


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def recorded(name: str) -> Reply:
    """A recorded WordPress answer (see the fixtures' README)."""
    data = json.loads((RECORDED / f"{name}.json").read_text())
    return Reply(data["status"], dict(data["headers"]), data["body"])


def json_reply(status: int, payload: object, **headers: str) -> Reply:
    return Reply(
        status, {"Content-Type": "application/json; charset=UTF-8", **headers}, json.dumps(payload)
    )


class ReplayServer:
    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.routes: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with owner.lock:
                    owner.seen.append(
                        Seen(
                            self.command,
                            self.path,
                            {k.lower(): v for k, v in self.headers.items()},
                            body,
                        )
                    )
                    reply = owner.next_reply(self.path)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.body.replace(RECORDED_HOST, owner.host).encode()
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value.replace(RECORDED_HOST, owner.host))
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload if reply.cut is None else payload[: reply.cut])
                    if reply.cut is not None:
                        self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_HEAD = do_PUT = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"http://{self.host}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def answer(self, *replies: Reply) -> ReplayServer:
        with self.lock:
            self.script = list(replies)
            self.seen = []
        return self

    def route(self, prefix: str, *replies: Reply) -> ReplayServer:
        with self.lock:
            self.routes[prefix] = list(replies)
        return self

    def next_reply(self, path: str) -> Reply:
        """The answer for ``path`` (called with the lock held)."""
        matching = [prefix for prefix in self.routes if path.startswith(prefix)]
        script = self.routes[max(matching, key=len)] if matching else self.script
        if not script:
            return Reply(404, {"Content-Type": "text/plain"}, "no such route in the test")
        return script.pop(0) if len(script) > 1 else script[0]


@contextmanager
def replay_server() -> Iterator[ReplayServer]:
    server = ReplayServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
