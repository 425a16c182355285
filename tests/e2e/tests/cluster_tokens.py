"""API keys for the cluster tests: JWTs (ES256) signed by a key made here, and the JWKS of its
public key served by a real HTTP server on loopback, from which Temporal's JWT authorizer
(`global.authorization`) reads the keys it trusts. Nothing here is a real secret."""
from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    """One signing key: its public JWK, and tokens it signs."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.key = ec.generate_private_key(ec.SECP256R1())

    def jwk(self) -> dict[str, str]:
        numbers = self.key.public_key().public_numbers()
        return {"kty": "EC", "crv": "P-256", "kid": self.kid, "alg": "ES256", "use": "sig",
                "x": _b64(numbers.x.to_bytes(32, "big")), "y": _b64(numbers.y.to_bytes(32, "big"))}

    def token(self, permissions: list[str], subject: str = "stigmer-e2e", lifetime: float = 3600) -> str:
        """A JWT whose `permissions` claim Temporal's default claim mapper reads, e.g.
        ["stigmer-cluster:admin"] (one namespace) or ["temporal-system:admin"] (all)."""
        now = int(time.time())
        header = {"alg": "ES256", "typ": "JWT", "kid": self.kid}
        claims = {"sub": subject, "permissions": permissions, "iat": now, "exp": now + int(lifetime)}
        signed = ".".join(_b64(json.dumps(part).encode()) for part in (header, claims))
        r, s = decode_dss_signature(self.key.sign(signed.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signed}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


class JwksServer:
    """The JWKS of the trusted issuers at http://127.0.0.1:PORT/jwks.json, until stop()."""

    def __init__(self, trusted: list[TokenIssuer]) -> None:
        body = json.dumps({"keys": [issuer.jwk() for issuer in trusted]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                found = self.path == "/jwks.json"
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body) if found else 0))
                self.end_headers()
                if found:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
