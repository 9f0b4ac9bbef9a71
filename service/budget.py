"""A budget of query time per client, in the spirit of the Wikidata Query Service.

Each client may use ``query_budget`` seconds of query-engine time in any ``query_budget_window``
seconds (60 s per 60 s by default, as WDQS). Time is what the engine spent on the client's
queries (a query stopped at its deadline counts in full; cached answers cost nothing). A client
that has spent its budget gets 429 Too Many Requests with ``Retry-After`` — the seconds until
enough of its spending falls out of the window — until then.

A client is its token's name when it sends a valid token, else its address (the server trusts no
forwarding headers). Admin tokens have no budget. ``query_budget = 0`` turns the budget off.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque

from flask import Flask, g, has_request_context, request

from .errors import ApiError


class BudgetMeter:
    """Wraps a query backend and records the engine time each request spends."""

    def __init__(self, backend):
        self.backend = backend

    def run(self, job, deadline: float | None = None):
        start = time.monotonic()
        try:
            return self.backend.run(job, deadline)
        finally:
            if has_request_context():
                g.budget_seconds = g.get("budget_seconds", 0.0) + time.monotonic() - start

    def close(self) -> None:
        self.backend.close()

    def __getattr__(self, name):
        return getattr(self.backend, name)


class _Account:
    """One client's charges in the window (oldest first) and their running total."""
    __slots__ = ("entries", "total")

    def __init__(self):
        self.entries: deque = deque()
        self.total = 0.0


class Budget:
    def __init__(self, seconds: float, window: float):
        self.seconds, self.window = seconds, window
        self._spent: dict[str, _Account] = defaultdict(_Account)
        self._lock = threading.Lock()

    def _trim(self, account: _Account, now: float) -> None:
        entries = account.entries
        while entries and entries[0][0] <= now - self.window:
            account.total -= entries.popleft()[1]
        if not entries:
            account.total = 0.0     # no drift from float rounding

    def retry_after(self, client: str, now: float | None = None) -> int | None:
        """None if ``client`` may run queries now, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            account = self._spent.get(client)
            if account is None or not account.entries:
                return None
            self._trim(account, now)
            total = account.total
            if total < self.seconds:
                return None
            for when, seconds in account.entries:   # oldest first: wait until enough has expired
                total -= seconds
                if total < self.seconds:
                    return max(1, math.ceil(when + self.window - now))
            return max(1, math.ceil(self.window))

    def charge(self, client: str, seconds: float, now: float | None = None) -> None:
        if seconds <= 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            account = self._spent[client]
            account.entries.append((now, seconds))
            account.total += seconds
            self._trim(account, now)
            if len(self._spent) > 100_000:   # forget idle clients
                for key in [k for k, v in self._spent.items() if not v.entries]:
                    del self._spent[key]


def client_key() -> str | None:
    """Whose budget this request uses; None for admins (no budget)."""
    agent = g.get("agent")
    if agent is not None:
        return None if agent.role == "admin" else "token:" + agent.name
    return "address:" + (request.remote_addr or "unknown")


def init_app(app: Flask, settings) -> None:
    svc = app.extensions["xiancheng"]
    svc.backend = BudgetMeter(svc.backend)
    if not settings.query_budget:
        return
    budget = Budget(float(settings.query_budget), float(settings.query_budget_window))
    app.extensions["xiancheng.budget"] = budget

    @app.before_request
    def _check_budget():
        if request.endpoint == "static":
            return
        key = client_key()
        wait = budget.retry_after(key) if key else None
        if wait is not None:
            raise ApiError(429, "Query budget spent",
                           f"this client used its {budget.seconds:g} s of query time in "
                           f"{budget.window:g} s; try again in {wait} s, and make queries cheaper "
                           "(LIMIT, narrower patterns) or send a token of your own",
                           {"Retry-After": str(wait)})

    @app.teardown_request
    def _charge(_exc=None):
        seconds = g.get("budget_seconds", 0.0)
        key = client_key() if "agent" in g else None
        if seconds and key:
            budget.charge(key, seconds)
