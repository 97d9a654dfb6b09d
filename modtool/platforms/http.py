"""The one HTTP client for platform APIs (httpx), shared by every platform module.

What every call gets, so no platform module writes it again:

* **timeouts** (connect and read, :class:`Limits`);
* **retries with backoff** on a timeout, a dropped connection, 429 and 5xx: the
  pause doubles from ``Limits.backoff``; a ``Retry-After`` (seconds or an HTTP
  date) is honoured, and one longer than ``Limits.max_pause`` ends the call with
  a line saying how long the site asked to wait, instead of hanging;
* **bounded answers**: a body larger than ``Limits.max_body`` is refused while it
  is read; JSON is parsed only through :meth:`Answer.json` (bad or too deep JSON
  is one line, not a traceback);
* **one-line errors** (:class:`PlatformError` and subclasses) that name the site
  and the request, never a header, never a credential; text the site sent back is
  cut short and left for :mod:`modtool.cli.output` to make terminal-safe;
* an injectable ``sleep`` (and ``transport``) so tests never really wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from modtool import jsonsafe
from modtool.errors import ModtoolError

USER_AGENT = "modtool (comment moderation; +https://github.com/modtool)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_MESSAGE = 200


class PlatformError(ModtoolError):
    """A platform could not be reached or refused a request (one line)."""

    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class AuthError(PlatformError):
    """401 or 403: the credentials are wrong or lack a permission; nothing more is tried."""


class NotFoundOnSite(PlatformError):
    """404: what was asked for is not there."""


@dataclass(frozen=True, slots=True)
class Limits:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    attempts: int = 4
    """Tries per request: the first and up to three retries."""
    backoff: float = 1.0
    """First pause between tries, doubled after each."""
    max_pause: float = 120.0
    """The longest single wait (a longer ``Retry-After`` ends the call with a line)."""
    max_body: int = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Answer:
    """A platform's answer: status, headers, body (bounded), and the URL asked."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: str
    tries: int = 1

    def json(self) -> Any:
        """The body parsed by :mod:`modtool.jsonsafe` (bounded nesting and numbers)."""
        try:
            return jsonsafe.loads(self.body, self.url)
        except ModtoolError as exc:
            raise PlatformError(
                f"HTTP {self.status}, but the answer is not usable JSON: {exc}", self.status
            ) from None

    def error_fields(self) -> tuple[str | None, str | None]:
        """``(code, message)`` of a JSON error answer (WordPress, most REST APIs)."""
        try:
            data = jsonsafe.loads(self.body, self.url) if self.body else None
        except ModtoolError:
            return None, None
        if not isinstance(data, dict):
            return None, None
        code = data.get("code") or data.get("error")
        message = data.get("message") or data.get("error_description")
        return (
            _short(code) if isinstance(code, str) else None,
            _short(message) if isinstance(message, str) else None,
        )


def safe_url(url: str) -> str:
    """``url`` without user info, query or fragment: what a message may show."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return "(a malformed URL)"


class Http:
    """Requests with the guarantees of the module docstring; one instance per site."""

    def __init__(
        self,
        *,
        auth: httpx.Auth | tuple[str, str] | None = None,
        limits: Limits | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.limits = limits or Limits()
        self.sleep = sleep
        timeout = httpx.Timeout(
            self.limits.read_timeout, connect=self.limits.connect_timeout, pool=None
        )
        self.client = httpx.Client(
            auth=auth,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            trust_env=False,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        without_headers: tuple[str, ...] = (),
        headers: Mapping[str, str] | None = None,
        form: Mapping[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
    ) -> Answer:
        """Send, retrying as the module docstring says; return the last answer
        (any status: :func:`raise_for_status` turns an error status into a line).
        ``form`` is a form-encoded body; ``auth`` this request's own (else the client's)."""
        shown = safe_url(url)
        limits = self.limits
        target = url
        if params:  # added to any query the URL has (…/index.php?rest_route=/…)
            target += ("&" if "?" in url else "?") + urlencode(dict(params))
        for attempt in range(1, limits.attempts + 1):
            last = attempt == limits.attempts
            request = self.client.build_request(
                method, target, json=json_body, data=form, headers=headers
            )
            for name in without_headers:
                request.headers.pop(name, None)
            try:
                answer = self._send(request, shown, attempt, auth)
            except httpx.TransportError as exc:  # a timeout, a refused or dropped connection
                if last:
                    raise PlatformError(
                        f"{method} {shown}: {_no_answer(exc, limits, attempt)}"
                    ) from None
                self._pause(self._backoff(attempt), shown)
                continue
            if answer.status not in RETRY_STATUSES or last:
                return answer
            wait = retry_after(answer.headers.get("Retry-After"))
            self._pause(self._backoff(attempt) if wait is None else wait, shown, answer)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        request: httpx.Request,
        shown: str,
        attempt: int,
        auth: httpx.Auth | tuple[str, str] | None = None,
    ) -> Answer:
        response = self.client.send(
            request, stream=True, auth=httpx.USE_CLIENT_DEFAULT if auth is None else auth
        )
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.limits.max_body:
                    raise PlatformError(
                        f"{request.method} {shown}: the answer is larger than "
                        f"{self.limits.max_body:,} bytes; refused"
                    )
                chunks.append(chunk)
        finally:
            response.close()
        return Answer(response.status_code, response.headers, b"".join(chunks), shown, attempt)

    def _backoff(self, attempt: int) -> float:
        return self.limits.backoff * 2 ** (attempt - 1)

    def _pause(self, seconds: float, shown: str, answer: Answer | None = None) -> None:
        if seconds > self.limits.max_pause:
            status = f"HTTP {answer.status}: " if answer is not None else ""
            raise PlatformError(
                f"{shown}: {status}the site asks to wait {seconds:,.0f} s before trying again "
                f"(Retry-After); try again later",
                answer.status if answer is not None else None,
            )
        self.sleep(max(seconds, 0.0))


def _no_answer(exc: httpx.TransportError, limits: Limits, attempt: int) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return (
            f"no answer within {limits.read_timeout:g} s ({attempt} tries); the site is slow "
            "or down, try again later"
        )
    return f"cannot connect ({_short(str(exc)) or type(exc).__name__}, {attempt} tries)"


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (``120`` or an HTTP date), or ``None``."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(int(text[:12]))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def raise_for_status(answer: Answer, what: str) -> None:
    """One line for an error answer: ``what`` names the request for a person."""
    if answer.status < 400:
        return
    code, message = answer.error_fields()
    said = f": {message}" if message else ""
    said += f" ({code})" if code else ""
    phrase = _reason(answer.status)
    text = f"{what}: HTTP {answer.status} {phrase}{said}"
    if answer.status in (401, 403):
        raise AuthError(text, answer.status, code)
    if answer.status == 404:
        raise NotFoundOnSite(text, answer.status, code)
    if answer.status in RETRY_STATUSES:
        text += f" (after {answer.tries} tries)"
    raise PlatformError(text, answer.status, code)


def _reason(status: int) -> str:
    try:
        return httpx.codes.get_reason_phrase(status)
    except ValueError:  # pragma: no cover - httpx knows every registered code
        return ""


def _short(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= MAX_MESSAGE else one_line[: MAX_MESSAGE - 1] + "…"
