"""A small OpenID Connect provider on loopback, for the sign-in browser test.

Authorization code flow with PKCE (S256), discovery (`/.well-known/openid-configuration`), JWKS,
RS256-signed ID tokens (joserfc, the JOSE library Authlib is built on) carrying `nonce`, `iss`,
`aud`, `exp`, `email`, `name`, and a userinfo endpoint. Its login page asks for an email, so a test
can sign in as a known or an unknown user. Client authentication: `client_secret_basic` or
`client_secret_post`. Nothing here is fetched from outside the machine.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID, CLIENT_SECRET = "midway-test", "midway-test-secret"


class Provider:
    def __init__(self, port: int) -> None:
        self.issuer = f"http://127.0.0.1:{port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "name", "nonce"],
        }

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": hashlib.sha256(grant["email"].encode()).hexdigest()[:24],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 600,
            "email": grant["email"],
            "email_verified": True,
            "name": grant["email"].split("@")[0],
        }
        if grant.get("nonce"):
            claims["nonce"] = grant["nonce"]
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: str | bytes, kind: str = "application/json", **headers: str) -> None:
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._send(200, json.dumps(provider.metadata()))
            elif url.path == "/jwks":
                self._send(200, json.dumps(KeySet([provider.key]).as_dict(private=False)))
            elif url.path == "/authorize":
                if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
                    self._send(400, json.dumps({"error": "invalid_request"}))
                    return
                hidden = "".join(
                    f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in q.items()
                )
                page = (
                    "<!doctype html><title>Test sign-in</title><form method=post action=/authorize>"
                    f'{hidden}<label>Email <input name="login_email" type="email"></label>'
                    "<button type=submit>Continue</button></form>"
                )
                self._send(200, page, "text/html")
            elif url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                grant = provider.tokens.get(token)
                if grant is None:
                    self._send(401, json.dumps({"error": "invalid_token"}))
                else:
                    self._send(200, json.dumps({"sub": "x", "email": grant["email"], "name": grant["email"]}))
            elif url.path == "/logout":
                self._send(302, "", Location=q.get("post_logout_redirect_uri", "/"))
            else:
                self._send(404, json.dumps({"error": "not_found"}))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            path = urlparse(self.path).path
            if path == "/authorize":
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "email": form["login_email"],
                    "nonce": form.get("nonce"),
                    "redirect_uri": form["redirect_uri"],
                    "challenge": form.get("code_challenge"),
                }
                target = form["redirect_uri"] + "?" + urlencode({"code": code, "state": form.get("state", "")})
                self._send(302, "", "text/plain", Location=target)
            elif path == "/token":
                self._token(form)
            else:
                self._send(404, json.dumps({"error": "not_found"}))

        def _token(self, form: dict[str, str]) -> None:
            client_id, client_secret = form.get("client_id"), form.get("client_secret")
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
            if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
                self._send(401, json.dumps({"error": "invalid_client"}))
                return
            grant = provider.codes.pop(form.get("code", ""), None)  # a code is used once
            if grant is None or form.get("grant_type") != "authorization_code":
                self._send(400, json.dumps({"error": "invalid_grant"}))
                return
            if form.get("redirect_uri") != grant["redirect_uri"]:
                self._send(400, json.dumps({"error": "invalid_grant", "error_description": "redirect_uri"}))
                return
            if grant["challenge"]:
                digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                    self._send(400, json.dumps({"error": "invalid_grant", "error_description": "PKCE"}))
                    return
            access = secrets.token_urlsafe(24)
            provider.tokens[access] = grant
            body = {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 600,
                "id_token": provider.id_token(grant),
            }
            self._send(200, json.dumps(body))

    return Handler


@contextmanager
def running_provider(port: int) -> Iterator[Provider]:
    """The provider serving on 127.0.0.1:`port` in a thread, until the block ends."""
    provider = Provider(port)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(provider))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
