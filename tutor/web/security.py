"""Who is asking: signed learner cookies, CSRF tokens, bearer tokens, security headers."""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeSerializer

LEARNER_COOKIE = "tutor_learner"
_LEARNER_ID = re.compile(r"^[0-9a-f]{32}$")

# Every page, the API docs too, is served with everything from this host and no inline
# script or style. (Swagger UI sets its styles through the DOM, which this allows.)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


KEPT = 16_384
"""Cookies, and CSRF tokens, a signer keeps the answer for (the most recently used)."""


class Signer:
    """Signs learner ids into cookies and derives per-learner CSRF tokens."""

    def __init__(self, secret: str):
        self._secret = secret.encode()
        self._cookies = URLSafeSerializer(secret, salt="tutor.learner")
        # A cookie and a learner's token never change, and every page checks one and
        # makes the other: kept, they cost a lookup, not two HMACs and a decoding.
        self.learner_from = lru_cache(maxsize=KEPT)(self._learner_from)
        self.csrf_token = lru_cache(maxsize=KEPT)(self._csrf_token)

    def cookie_for(self, learner_id: str) -> str:
        return self._cookies.dumps(learner_id)

    def _learner_from(self, cookie: str | None) -> str | None:
        """The learner id in a cookie, or None when it is missing or was tampered with."""
        if not cookie:
            return None
        try:
            value = self._cookies.loads(cookie)
        except BadSignature:
            return None
        return value if isinstance(value, str) and _LEARNER_ID.match(value) else None

    def _csrf_token(self, learner_id: str) -> str:
        digest = hmac.new(self._secret, b"csrf:" + learner_id.encode(), hashlib.sha256)
        return digest.hexdigest()[:40]

    def csrf_ok(self, learner_id: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token(learner_id), token or "")


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class SecurityHeaders:
    """ASGI middleware adding security headers to every HTTP response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *_HEADERS]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
