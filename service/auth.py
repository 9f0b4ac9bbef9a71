"""Access tokens: who may write, and whose query budget a request counts against.

Tokens live in a TOML file (setting ``tokens_file``; ``<data_dir>/tokens.toml`` by default) that
holds only their SHA-256 digests::

    [[token]]
    name = "alice"
    role = "write"          # read, write or admin
    sha256 = "9f2c…"
    created = "2025-01-01T08:00:00Z"

``xiancheng token create NAME --role write`` makes a token (printed once, never stored) and
``xiancheng token revoke NAME`` removes it. A token is 256 random bits, so a plain SHA-256 is
enough to keep it safe at rest (a slow password hash protects guessable secrets; these are not).
The file is re-read when it changes, so a revocation takes effect at once.

Clients send ``Authorization: Bearer <token>``. A wrong or revoked token gets 401 on every
endpoint; writing needs a write or admin token (the ontology graph needs admin). Reading needs no
token; a read token gives its holder its own query budget instead of their address's.
With no write or admin token configured, writes are off.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import os
import re
import secrets
import threading
import tomllib
from pathlib import Path

from flask import Flask, current_app, g, request

from xiancheng.graph.writes import ROLES, Agent

from .errors import ApiError

log = logging.getLogger(__name__)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
PREFIX = "xck_"


def tokens_path(settings) -> Path:
    return Path(settings.tokens_file) if settings.tokens_file else Path(settings.data_dir) / "tokens.toml"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def read_tokens(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, "rb") as f:
        entries = tomllib.load(f).get("token", [])
    for entry in entries:
        if entry.get("role") not in ROLES or not re.fullmatch(r"[0-9a-f]{64}", entry.get("sha256", "")):
            raise ValueError(f"{path}: token {entry.get('name')!r} needs a role ({', '.join(ROLES)}) "
                             "and a sha256 digest")
    return entries


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_tokens(path: Path, entries: list[dict]) -> None:
    lines = ["# Xiancheng KG access tokens: only their SHA-256 digests are kept here.",
             "# Manage them with `xiancheng token create|list|revoke`.", ""]
    for entry in entries:
        lines += ["[[token]]"] + [f"{key} = {_toml_string(str(entry[key]))}"
                                  for key in ("name", "role", "sha256", "created")] + [""]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def create_token(path: Path, name: str, role: str) -> str:
    """Add a token and return it (the only time it is shown)."""
    if not _NAME.match(name):
        raise ValueError(f"{name!r} is not a valid token name: use lower-case letters, digits, "
                         "'.', '_' and '-' (it names the writer in the change log)")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    entries = read_tokens(path)
    if any(e["name"] == name for e in entries):
        raise ValueError(f"there is already a token named {name!r}; revoke it first")
    token = PREFIX + secrets.token_urlsafe(32)
    created = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    entries.append({"name": name, "role": role, "sha256": digest(token),
                    "created": created.replace("+00:00", "Z")})
    write_tokens(path, entries)
    return token


def revoke_token(path: Path, name: str) -> bool:
    entries = read_tokens(path)
    kept = [e for e in entries if e["name"] != name]
    if len(kept) == len(entries):
        return False
    write_tokens(path, kept)
    return True


class Tokens:
    """The tokens file, re-read when it changes."""

    def __init__(self, path: Path):
        self.path = path
        self._stamp = None
        self._by_digest: dict[str, Agent] = {}
        self._lock = threading.Lock()

    def _current(self) -> dict[str, Agent]:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                try:
                    entries = read_tokens(self.path) if stamp else []
                except (ValueError, OSError) as e:   # a broken edit: keep the tokens we had
                    log.error("cannot read the tokens file, keeping the previous tokens: %s", e)
                    self._stamp = stamp
                    return self._by_digest
                self._by_digest = {e["sha256"]: Agent(e["name"], e["role"]) for e in entries}
                self._stamp = stamp
            return self._by_digest

    def writers_configured(self) -> bool:
        return any(a.role in ("write", "admin") for a in self._current().values())

    def identify(self, token: str) -> Agent | None:
        wanted = digest(token)
        for known, agent in self._current().items():
            if hmac.compare_digest(known, wanted):
                return agent
        return None


def _challenge(error: str | None = None) -> dict:
    value = 'Bearer realm="xiancheng"'
    if error:
        value += f', error="{error}"'
    return {"WWW-Authenticate": value}


def current_agent() -> Agent | None:
    """The agent of this request's token (None without one); ``ApiError`` 401 for a bad token."""
    if "agent" not in g:
        header = request.headers.get("Authorization")
        agent = None
        if header is not None:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiError(401, "Unauthorized", "send the token as 'Authorization: Bearer <token>'",
                               _challenge("invalid_request"))
            agent = current_app.extensions["xiancheng.tokens"].identify(token.strip())
            if agent is None:
                raise ApiError(401, "Unauthorized", "the token is not valid (unknown or revoked)",
                               _challenge("invalid_token"))
        g.agent = agent
    return g.agent


def require_writer():
    """The writer and the agent for a write request, or the right 401/403."""
    writer = current_app.extensions.get("xiancheng.writer")
    agent = current_agent()
    if writer is None:
        raise ApiError(403, "Writes are off", "this server accepts no writes: no write token is "
                       "configured (create one with `xiancheng token create NAME --role write` and "
                       "restart the server)")
    if agent is None:
        raise ApiError(401, "Unauthorized", "writing needs a token: send 'Authorization: Bearer "
                       "<token>'", _challenge())
    if agent.role not in ("write", "admin"):
        raise ApiError(403, "Forbidden", f"the token '{agent.name}' may only read; writing needs a "
                       "write or admin token", _challenge("insufficient_scope"))
    return writer, agent


def init_app(app: Flask, settings) -> None:
    app.extensions["xiancheng.tokens"] = Tokens(tokens_path(settings))

    @app.before_request
    def _identify():
        current_agent()   # a bad token is refused on every endpoint
