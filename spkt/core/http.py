"""Plain HTTP for the channel adapters and web push: JSON calls to the providers' APIs and bounded
downloads. It lives in core so that every app that calls out (channels, alerts) shares one client.

No provider SDKs: ``urllib`` with a 10-second timeout, http(s) URLs only, bodies read up to a
limit, and errors that never carry the URL (Telegram puts the bot token in the path, Meta the page
token in the query, and error texts end up in ``OutboxItem.last_error`` and the logs).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from typing import IO, Any
from urllib.parse import urlsplit

TIMEOUT = 10.0
JSON_LIMIT = 1024 * 1024


class TransportError(Exception):
    """The request did not get an HTTP answer: refused, timed out, reset, not an http(s) URL."""


class TooLargeError(TransportError):
    """The answer is bigger than the caller accepts."""


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The decoded JSON body; ValueError when it is not JSON."""
        return json.loads(self.body)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects for downloads only, and never carry a bearer token to another host."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if req.get_method() != "GET" or urlsplit(newurl).scheme not in ("http", "https"):
            return None  # urllib then raises HTTPError with the 3xx status
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urlsplit(newurl).netloc != urlsplit(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


_opener = urllib.request.build_opener(_Redirects)


def _read(
    stream: http.client.HTTPResponse | urllib.error.HTTPError, limit: int, *, strict: bool = True
) -> bytes:
    length = stream.headers.get("Content-Length") if stream.headers else None
    if strict and length and length.isdigit() and int(length) > limit:
        raise TooLargeError(f"answer of {length} bytes is over the limit of {limit}")
    data = stream.read(limit + 1)
    if len(data) > limit:
        if strict:
            raise TooLargeError(f"answer is over the limit of {limit} bytes")
        data = data[:limit]
    return data


def _headers(message: Message | None) -> dict[str, str]:
    return {k.lower(): v for k, v in message.items()} if message else {}


def call(
    method: str,
    url: str,
    *,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    limit: int = JSON_LIMIT,
    timeout: float | None = None,
) -> Response:
    """One HTTP exchange. Any status is returned as a Response; only a missing answer raises
    TransportError (TooLargeError when a 2xx body is over ``limit``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise TransportError("not an http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TransportError("not an http(s) URL")
    if json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (scheme checked)
    if json_body is not None:
        request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json, */*")
    request.add_header("User-Agent", "SPKT/1.0")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with _opener.open(request, timeout=timeout or TIMEOUT) as answer:
            return Response(answer.status, _read(answer, limit), _headers(answer.headers))
    except urllib.error.HTTPError as exc:
        with exc:
            try:
                body = _read(exc, 64 * 1024, strict=False)
            except (OSError, http.client.HTTPException):
                body = b""
            return Response(exc.code, body, _headers(exc.headers))
    except TooLargeError:
        raise
    except urllib.error.URLError as exc:
        raise TransportError(f"no answer: {exc.reason}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise TransportError(f"no answer: {type(exc).__name__} {exc}") from None
