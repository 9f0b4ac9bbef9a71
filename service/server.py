"""Running the application under a production WSGI server (granian by default — the fastest
here, see docs/performance.md — waitress or gunicorn), with the Flask development server only as
an option."""

from __future__ import annotations

import logging
import os


def run_server(settings, release) -> None:
    from . import create_app

    if settings.server == "gunicorn":
        _gunicorn(settings, release)
        return
    if settings.server == "granian":
        _granian(settings, release)
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


RELEASE_ENV = "XIANCHENG_SERVE_RELEASE"


def _granian(settings, release) -> None:
    """granian (a Rust HTTP server) runs ``http_workers`` processes, each with ``threads`` threads
    for the WSGI app and its own query workers. The workers are new processes that make their own
    app: they get the settings through the environment, and the release by its path."""
    from granian import Granian
    from granian.constants import Interfaces

    from xiancheng.settings import SETTINGS

    if settings.http_workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        import tempfile  # /metrics adds up every worker's counts, as under gunicorn
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="xiancheng-metrics-")
    for setting in SETTINGS:
        os.environ["XIANCHENG_" + setting.name.upper()] = str(settings[setting.name])
    os.environ[RELEASE_ENV] = str(release.path)
    Granian("xiancheng.service.server:granian_app", factory=True, interface=Interfaces.WSGI,
            address=settings.host, port=settings.port, workers=settings.http_workers,
            blocking_threads=settings.threads, respawn_failed_workers=True,
            log_access=False).serve()


def granian_app():
    """The app of one granian worker (see ``_granian``)."""
    from xiancheng.graph.release import open_release
    from xiancheng.settings import load_settings

    from . import create_app

    return create_app(load_settings(), release=open_release(os.environ[RELEASE_ENV]))
