"""What the service holds while it runs: the release, the query workers, the result cache and the
named queries; and the one way every endpoint runs a query."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from xiancheng.graph.formats import Format
from xiancheng.graph.namespaces import Minter
from xiancheng.graph.queries import load_queries
from xiancheng.graph.remote import RemoteStoreError
from xiancheng.graph.screen import RefusedQuery, screen
from xiancheng.graph.workers import (Busy, EngineQueryError, Job, QueryTimeout, TooManyRows,
                                     WorkerCrashed, WorkerPool, term_tuple)

from .cache import Entry, ResultCache, cache_key
from .errors import ApiError
from .negotiation import media_type


SCREEN_MEMO_LENGTH = 8192  # screen results of queries up to this long are remembered


@functools.lru_cache(maxsize=2048)
def _screen_memo(text: str, max_length: int, max_depth: int):
    """Screening the same text again gives the same answer (refusals are not remembered)."""
    return screen(text, max_length, max_depth)


@dataclass
class QueryRequest:
    text: str
    fmt: Format | None = None
    inference: bool = True
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    bindings: dict | None = None
    language: str | None = None
    base_iri: str | None = None


class Service:
    """``backend`` runs queries: anything with ``run(job) -> Answer`` and ``close()`` — the local
    worker pool (graph.workers.WorkerPool) or another engine behind the same interface."""

    def __init__(self, settings, release, backend: WorkerPool):
        self.settings = settings
        self.release = release
        self.backend = backend
        self.cache = ResultCache(settings.cache_bytes) if settings.cache_bytes else None
        self.queries = load_queries()
        self.minter = Minter(release.meta.get("base", settings.base_iri))
        self.graph_names = [g["iri"] for g in release.graphs.values()]
        self.live = None   # the writable store's backend, when there is one (service.live)

    @property
    def version(self) -> str:
        """Changes whenever the data does; part of every cache key and ETag. A writable store
        (graph.livestore, set as ``live`` by service.live) has its own, which every write changes."""
        return self.live.data_version if self.live is not None else self.release.id

    def screen(self, text: str):
        limits = (self.settings.max_query_length, self.settings.max_query_depth)
        try:
            if len(text) <= SCREEN_MEMO_LENGTH:
                return _screen_memo(text, *limits)
            return screen(text, *limits)
        except RefusedQuery as e:
            raise ApiError(400, "Query refused", str(e)) from None

    def execute(self, request: QueryRequest, form: str, dataset_clause: bool) -> Entry:
        fmt = request.fmt
        bindings = {k: term_tuple(v) for k, v in (request.bindings or {}).items()}
        key = cache_key(self.version, request.text, fmt.name, request.inference,
                        request.default_graph, request.named_graphs, bindings, request.language,
                        request.base_iri)
        if self.cache is not None:
            entry = self.cache.get(key)
            if entry is not None:
                return entry
        job = Job(request.text, form,
                  result_format=fmt.oxigraph if form in ("select", "ask") else "JSON",
                  graph_format=fmt.oxigraph if form in ("construct", "describe") else "TURTLE",
                  inference=request.inference, default_graph=request.default_graph,
                  named_graphs=request.named_graphs, bindings=bindings, language=request.language,
                  max_rows=self.settings.max_rows, dataset_clause=dataset_clause,
                  base_iri=request.base_iri)
        try:
            answer = self.backend.run(job)
        except EngineQueryError as e:
            raise ApiError(400, "Malformed query", str(e)) from None
        except QueryTimeout as e:
            raise ApiError(504, "Query timeout", f"{e} (setting query_timeout); narrow the query "
                           "or add a LIMIT") from None
        except TooManyRows as e:
            raise ApiError(422, "Result too large", f"the result has {e.args[0]} rows; the limit is "
                           f"{self.settings.max_rows} (setting max_rows); add a LIMIT or narrow the "
                           "query") from None
        except WorkerCrashed as e:
            raise ApiError(500, "Query engine failed", str(e)) from None
        except Busy as e:
            raise ApiError(503, "Busy", f"{e}; try again shortly", {"Retry-After": "1"}) from None
        except RemoteStoreError as e:  # a remote store unreachable (503) or failing (502)
            raise ApiError(e.status, e.title, str(e), dict(e.headers)) from None
        entry = Entry(key, answer.kind, media_type(fmt), answer.data)
        if self.cache is not None:
            self.cache.put(key, entry)
        return entry

    def close(self) -> None:
        self.backend.close()
