"""A local push service speaking the real protocol: it takes the POST a push service takes
(RFC 8030), checks the VAPID Authorization (RFC 8292: an ES256 JWT whose ``aud`` is this origin,
signed by the key in ``k``) and decrypts the aes128gcm body (RFC 8291) with the browser's own
private key, as the browser would. Tests read what each browser received."""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One browser's side of a subscription: its key pair, auth secret and endpoint."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: b"0123456789abcdef")

    def subscription(self) -> dict:
        """What ``PushSubscription.toJSON()`` gives the page."""
        public = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64(public), "auth": b64(self.auth)},
        }


@dataclass
class Received:
    path: str
    message: dict
    vapid_key: str  # the "k" of the Authorization header
    claims: dict
    headers: dict


def verify_vapid(header: str, origin: str) -> tuple[str, dict]:
    """(public key, claims) of a valid ``vapid t=…,k=…`` header; ValueError otherwise."""
    scheme, _sep, rest = header.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"scheme {scheme!r}")
    parts = dict(p.strip().split("=", 1) for p in rest.split(","))
    token, key = parts["t"], parts["k"]
    head_b64, claims_b64, sig_b64 = token.split(".")
    if json.loads(unb64(head_b64)) != {"typ": "JWT", "alg": "ES256"}:
        raise ValueError("JWT header")
    signature = unb64(sig_b64)
    if len(signature) != 64:
        raise ValueError("signature length")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
    try:
        public.verify(
            encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            ),
            f"{head_b64}.{claims_b64}".encode(),
            ec.ECDSA(hashes.SHA256()),
        )
    except InvalidSignature:
        raise ValueError("bad signature") from None
    claims = json.loads(unb64(claims_b64))
    if claims.get("aud") != origin:
        raise ValueError(f"aud {claims.get('aud')!r} is not {origin!r}")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise ValueError("sub")
    return key, claims


class PushService:
    def __init__(self) -> None:
        self.browsers: dict[str, Browser] = {}
        self.received: list[Received] = []
        self.errors: list[str] = []
        self.answers: list[int] = []  # statuses to answer next, in order; then 201
        self.lock = threading.Lock()
        self.origin = ""

    def browser(self, name: str) -> Browser:
        browser = Browser(endpoint=f"{self.origin}/push/{name}")
        self.browsers[f"/push/{name}"] = browser
        return browser

    def messages(self, browser: Browser) -> list[dict]:
        path = browser.endpoint.removeprefix(self.origin)
        return [r.message for r in self.received if r.path == path]

    def handle(self, path: str, headers: dict, body: bytes) -> int:
        with self.lock:
            if self.answers:
                return self.answers.pop(0)
        browser = self.browsers.get(path)
        if browser is None:
            return 404
        try:
            if headers.get("content-encoding") != "aes128gcm":
                raise ValueError("Content-Encoding")
            if not headers.get("ttl", "").isdigit():
                raise ValueError("TTL")
            key, claims = verify_vapid(headers.get("authorization", ""), self.origin)
            if claims["exp"] < time.time():
                raise ValueError("expired")
            plain = http_ece.decrypt(
                body, private_key=browser.key, auth_secret=browser.auth, version="aes128gcm"
            )
            message = json.loads(plain)
        except Exception as exc:  # any fault is the test's failure
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return 400
        with self.lock:
            self.received.append(Received(path, message, key, claims, headers))
        return 201


def serve() -> tuple[PushService, ThreadingHTTPServer]:
    service = PushService()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = service.handle(self.path, headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    service.origin = f"http://127.0.0.1:{server.server_address[1]}"
    return service, server
