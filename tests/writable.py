"""Data directories and servers that accept writes, for the write, auth, hardening and W3C tests.

Each gets its own data directory holding a copy of the session's release and a tokens file, so a
test that writes (or drops everything) never touches the release the other tests read.
"""

from __future__ import annotations

import http.client
import json
import shutil
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from xiancheng.service.auth import create_token

from servers import ServerProcess, start_xiancheng


def writable_data_dir(release, target: Path, roles: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """A data directory with ``release`` as its current release and a token per name in ``roles``
    (name -> role); returns the directory and the tokens (name -> secret)."""
    releases = target / "releases"
    releases.mkdir(parents=True)
    shutil.copytree(release.path, releases / release.path.name)
    (releases / "current").write_text(release.id + "\n")
    tokens = {name: create_token(target / "tokens.toml", name, role) for name, role in roles.items()}
    return target, tokens


@dataclass
class Client:
    """A small HTTP client for one server (http.client: what the bytes are is what is sent)."""
    url: str
    token: str | None = None
    headers: dict = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict | None = None, token: str | None = ..., timeout: float = 60):
        parts = urllib.parse.urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        all_headers = dict(self.headers)
        token = self.token if token is ... else token
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        all_headers.update(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            conn.close()

    def update(self, text: str, **kwargs):
        return self.request("POST", "/update", text, {"Content-Type": "application/sparql-update"}, **kwargs)

    def ask(self, text: str) -> bool:
        r = self.request("POST", "/sparql", text, {"Content-Type": "application/sparql-query",
                                                    "Accept": "application/sparql-results+json"})
        assert r.status == 200, r.text
        return r.json()["boolean"]

    def select(self, text: str) -> list[dict]:
        r = self.request("POST", "/sparql", text, {"Content-Type": "application/sparql-query",
                                                    "Accept": "application/sparql-results+json"})
        assert r.status == 200, r.text
        return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


def start_writable(data_dir: Path, log: Path, **settings) -> ServerProcess:
    settings.setdefault("query_timeout", 5)
    settings.setdefault("query_workers", 2)
    return start_xiancheng(data_dir, log, **settings)


WRITE_ROLES = {"alice": "write", "reader": "read", "root": "admin"}


def close_app(app) -> None:
    """Stop what a writable app started: its query workers, parser process and store."""
    writer = app.extensions.get("xiancheng.writer")
    app.extensions["xiancheng"].backend.close()
    if writer is not None:
        writer.close()
        writer.live.close()
