"""Running the application under a production WSGI server (waitress by default, or gunicorn),
with the Flask development server only as an option."""

from __future__ import annotations

import logging


def run_server(settings, release) -> None:
    from . import create_app

    if settings.server == "gunicorn":
        _gunicorn(settings, release)
        return
    app = create_app(settings, release=release)
    if settings.server == "flask":
        app.run(host=settings.host, port=settings.port, threaded=True)
        return
    import waitress

    logging.getLogger("waitress").setLevel(logging.INFO)
    waitress.serve(app, host=settings.host, port=settings.port, threads=settings.threads,
                   max_request_body_size=settings.max_body, clear_untrusted_proxy_headers=True,
                   ident="xiancheng")


def _gunicorn(settings, release) -> None:
    import os
    import tempfile

    from gunicorn.app.base import BaseApplication

    if settings.http_workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # each worker counts its own requests; /metrics adds up every worker's (prometheus_client's
        # multiprocess mode, which must be chosen before any worker imports it)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="xiancheng-metrics-")

    class Application(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{settings.host}:{settings.port}")
            self.cfg.set("workers", settings.http_workers)
            self.cfg.set("threads", settings.threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("timeout", int(settings.query_timeout) + 30)
            self.cfg.set("child_exit", _child_exit)

        def load(self):
            from . import create_app
            # each gunicorn worker makes its own app, with its own query workers
            return create_app(settings, release=release)

    Application().run()


def _child_exit(server, worker) -> None:
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
