"""Shared fixtures: one build and one release per test session (they take seconds), and both
stores loaded from that release."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from xiancheng.graph import build_dataset
from xiancheng.graph.build import SOURCES_DIR
from xiancheng.graph.release import make_release
from xiancheng.graph.store import OxigraphStore, RdflibStore

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/servers.py


@pytest.fixture(scope="session")
def built():
    return build_dataset()


@pytest.fixture(scope="session")
def reasoned():
    """A built dataset with its inferred graph."""
    from xiancheng.graph.reason import reason

    built = build_dataset()
    reason(built)
    return built


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """A data directory (setting data_dir) holding one release of the shipped sources."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def release(data_dir):
    return make_release(data_dir / "releases")


@pytest.fixture(scope="session")
def oxigraph(release):
    store = OxigraphStore()
    store.load_release(release)
    return store


@pytest.fixture(scope="session")
def rdflib_store(release):
    store = RdflibStore()
    store.load_release(release)
    return store


@pytest.fixture(scope="session", params=["oxigraph", "rdflib"])
def store(request, oxigraph, rdflib_store):
    return {"oxigraph": oxigraph, "rdflib": rdflib_store}[request.param]


@pytest.fixture
def sources(tmp_path):
    """A writable copy of the source files, for tests that break one on purpose."""
    target = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, target)
    return target


# --- the service -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pool(release):
    """Query workers shared by the test apps (starting processes takes a moment)."""
    from xiancheng.graph.workers import WorkerPool

    with WorkerPool.for_release(release, size=2, deadline=3.0) as workers:
        yield workers


@pytest.fixture(scope="session")
def app(data_dir, release, pool):
    from xiancheng.service import create_app

    return create_app(release=release, pool=pool, data_dir=data_dir, query_timeout=3.0,
                      query_workers=2)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(data_dir, release, tmp_path_factory):
    """``xiancheng serve`` (waitress) on a free port, serving the session's release."""
    from servers import start_xiancheng

    server = start_xiancheng(data_dir, tmp_path_factory.mktemp("logs") / "server.log",
                             query_timeout=3, query_workers=2)
    yield server
    server.stop()
