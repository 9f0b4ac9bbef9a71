"""Answers of the linked-data views kept in the service's result cache: made once per data
version, address (with its query string), language, ``Accept`` and host, then served with an
``ETag`` (``If-None-Match`` gets 304). Only 200 answers are kept; errors are made afresh, and so
are answers a view made from an older version than the current one (it calls ``not_current()``,
e.g. search while its index is being rebuilt after a write)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import Response, g, make_response, request

from . import i18n
from .cache import Entry, cache_key
from .reader import service

KEPT_HEADERS = ("Link", "Vary", "X-Data-Version", "Content-Disposition")


@dataclass(frozen=True)
class PageEntry(Entry):
    headers: tuple = ()


def not_current() -> None:
    """Tell cached_view that this answer was made from an older data version: send it, don't keep it."""
    g.page_not_current = True


def cached_view(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        svc = service()
        lang = i18n.choose_language()
        key = cache_key(svc.version, view.__qualname__, request.full_path, lang,
                        request.headers.get("Accept", ""), request.host_url)
        entry = svc.cache.get(key) if svc.cache is not None else None
        if entry is None:
            response = view(*args, **kwargs)
            response = make_response(response)
            if response.status_code != 200 or response.direct_passthrough or g.get("page_not_current"):
                return response
            headers = tuple((k, v) for k in KEPT_HEADERS for v in response.headers.getlist(k))
            entry = PageEntry(key, "page", response.headers.get("Content-Type", ""), response.get_data(), headers)
            if svc.cache is not None:
                svc.cache.put(key, entry)
        etag = f'"{entry.etag}"'
        if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            response = Response(status=304)
        else:
            response = Response(entry.data, 200, content_type=entry.media_type)
        for name, value in entry.headers:
            response.headers.add(name, value)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = "no-cache"
        return i18n.remember_language(response)
    return wrapper

