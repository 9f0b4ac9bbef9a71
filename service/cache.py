"""A cache of serialised query results, keyed by everything that decides the answer — including
the version of the data, so any change of release (or write) makes old entries unreachable.

Each entry's key digest is also its ETag, so a client that revalidates gets 304 Not Modified.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    etag: str
    kind: str
    media_type: str
    data: bytes


def cache_key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


class ResultCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def holds(self, key: str) -> bool:
        return key in self._entries

    def put(self, key: str, entry: Entry) -> None:
        size = len(entry.data)
        if size > self.max_bytes // 4:  # a few huge results must not evict everything
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, old = self._entries.popitem(last=False)
                self._bytes -= len(old.data)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


# The request headers that decide a query's answer (content negotiation, xcf:label's language,
# CORS, and the base IRI relative IRIs resolve against), with the request line they form a
# signature of the response. The token is one too: a wrong one must get its 401 (service.auth).
_SIGNATURE_HEADERS = ("HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_ORIGIN", "HTTP_HOST",
                      "HTTP_AUTHORIZATION")
_NOT_IN_304 = {"content-type", "content-length", "content-disposition"}
RECORD = "xiancheng.response_cache"   # where a view leaves the result key of a cacheable answer


class ResponseCache:
    """WSGI middleware in front of the Flask app: a GET or HEAD that repeats a request answered
    before from the result cache (same path, query string, negotiating headers and data version)
    is answered from memory without running Flask — the same bytes and headers as the first
    time, or 304 Not Modified for a matching If-None-Match.

    Only the signature and the response headers are kept here, with the result's cache key; the
    body stays in the ResultCache, so an evicted result (or a new data version, which is part of
    the signature) sends the request through Flask again."""

    def __init__(self, app, service, max_bytes: int, on_hit=None):
        self.app = app
        self.service = service
        self.max_bytes = max_bytes
        # on_hit(environ, status, endpoint, seconds, size): counts and logs the requests answered
        # here, which never reach Flask's hooks (service/ops.py)
        self.on_hit = on_hit
        self._known: OrderedDict[tuple, tuple[str, str, list]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if method != "GET" and method != "HEAD":
            return self.app(environ, start_response)
        service = self.service
        signature = (service.version, environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
                     environ.get("QUERY_STRING", ""), environ["wsgi.url_scheme"],
                     *[environ.get(h) for h in _SIGNATURE_HEADERS])
        known = self._known.get(signature)
        if known is not None:
            started = time.perf_counter()
            key, etag, headers, endpoint = known
            entry = service.cache.get(key)
            if entry is not None:
                with self._lock:
                    if signature in self._known:
                        self._known.move_to_end(signature)
                match = environ.get("HTTP_IF_NONE_MATCH")
                if match and etag in [t.strip() for t in match.split(",")]:
                    start_response("304 Not Modified", [h for h in headers if h[0].lower() not in _NOT_IN_304])
                    body, status = [], 304
                else:
                    start_response("200 OK", headers)
                    body, status = ([] if method == "HEAD" else [entry.data]), 200
                if self.on_hit is not None:
                    self.on_hit(environ, status, endpoint, time.perf_counter() - started,
                                sum(map(len, body)))
                return body
        record = environ[RECORD] = {}

        def remember(status, headers, exc_info=None):
            key = record.get("key")
            if key is not None and method == "GET" and status.startswith("200 "):
                etag = next((v for k, v in headers if k.lower() == "etag"), None)
                if etag is not None:
                    self._remember(signature, (key, etag, list(headers), record.get("endpoint")))
            return start_response(status, headers, exc_info)

        return self.app(environ, remember)

    def _remember(self, signature: tuple, value: tuple) -> None:
        size = len(signature[3]) + 512
        if size > self.max_bytes // 16:
            return
        with self._lock:
            if signature in self._known:
                return
            self._known[signature] = value
            self._bytes += size
            while self._bytes > self.max_bytes:
                old, _ = self._known.popitem(last=False)
                self._bytes -= len(old[3]) + 512

    def clear(self) -> None:
        with self._lock:
            self._known.clear()
            self._bytes = 0
