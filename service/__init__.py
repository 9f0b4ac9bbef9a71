"""The Xiancheng KG web service: a Flask application made by ``create_app``.

Nothing is read at import time: settings, the release and the query workers are all set up by
the factory, so tests and servers can make as many differently configured apps as they need.
"""

from __future__ import annotations

import atexit

from flask import Flask
from flask_cors import CORS

from xiancheng.settings import Settings, load_settings


def open_release(settings: Settings):
    """The current release of ``settings.data_dir``, built first if there is none."""
    from xiancheng.graph.release import current_release, make_release

    release = current_release(settings.releases_dir)
    if release is None:
        release = make_release(settings.releases_dir, base=settings.base_iri)
    return release


def create_app(settings: Settings | None = None, *, release=None, pool=None, **overrides) -> Flask:
    """Make the application. ``release`` and ``pool`` (the query backend) may be given; tests
    share them."""
    from . import (apidoc, auth, browse, budget, dataset, dumps, errors, explore, hardening, live,
                   named, ops, resources, search, sparql, store_protocol, ui, update)
    from .backend import open_backend
    from .core import Service

    settings = settings if settings is not None else load_settings(**overrides)
    release = release if release is not None else open_release(settings)
    live_store = None
    if pool is None:
        # with a write token (or data written before), queries read the writable store's
        # checkpoints (service.live); otherwise in-memory, on-disk or remote (settings)
        live_store = live.open_live_store(settings, release)
        pool = (live.open_backend(settings, live_store) if live_store is not None
                else open_backend(settings, release))
        atexit.register(pool.close)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.json.ensure_ascii = False
    app.extensions["xiancheng"] = service = Service(settings, release, pool)
    origins = str(settings.cors_origins).strip()
    CORS(app, origins="*" if origins == "*" else [o.strip() for o in origins.split(",")],
         send_wildcard=origins == "*",
         expose_headers=["ETag", "X-Data-Version", "Link", "Location", "Retry-After"])
    errors.init_app(app)
    live.init_app(app, settings, live_store)
    ops.init_app(app)
    auth.init_app(app, settings)
    budget.init_app(app, settings)
    hardening.init_app(app, settings)
    for blueprint in (sparql.bp, named.bp, ui.bp, ops.bp, explore.bp, resources.bp, browse.bp,
                      search.bp, dumps.bp, dataset.bp, update.bp, store_protocol.bp, apidoc.bp):
        app.register_blueprint(blueprint)
    if service.cache is not None:  # repeated requests for cached results skip Flask
        from .cache import ResponseCache
        app.wsgi_app = ResponseCache(app.wsgi_app, service, settings.cache_bytes // 8,
                                     on_hit=ops.cache_hit_recorder(app))
    return app
