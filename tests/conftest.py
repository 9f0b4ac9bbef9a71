"""Shared fixtures: one build and one release per test session (they take seconds), and both
stores loaded from that release."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import os

import pytest
from hypothesis import settings as hypothesis_settings

from xiancheng.graph import build_dataset
from xiancheng.graph.build import SOURCES_DIR
from xiancheng.graph.release import make_release
from xiancheng.graph.store import OxigraphStore, RdflibStore

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/servers.py

# Property-based tests (hypothesis, schemathesis): the same examples on every run by default, so
# that a test run (and CI) says the same thing twice; XIANCHENG_HYPOTHESIS=explore draws new ones
# each run (and remembers failures in .hypothesis/) to look for new bugs.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("XIANCHENG_HYPOTHESIS", "repeatable"))


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


# --- a real browser ----------------------------------------------------------------------------

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright (which does not download a browser)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records every request leaving 127.0.0.1 in ``page.external_requests``."""
    from urllib.parse import urlsplit

    # Playwright evaluates wait_for_function's strings with eval, which the pages' Content Security
    # Policy forbids; tests/test_hardening_browser.py runs every page under the policy.
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.external_requests = []
    page.console_errors = []

    def record(request):
        host = urlsplit(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in ("127.0.0.1", "localhost"):
            page.external_requests.append(request.url)

    page.on("request", record)
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


# --- the on-disk and remote stores ---------------------------------------------------------------

@pytest.fixture(scope="session")
def ondisk_path(release, tmp_path_factory):
    """An on-disk Oxigraph store (setting store_path) holding the session's release."""
    from xiancheng.graph.ondisk import OnDiskStore

    path = tmp_path_factory.mktemp("store")
    OnDiskStore(path).load(release)
    return path


@pytest.fixture(scope="session")
def oxigraph_server(release, tmp_path_factory):
    """A real Oxigraph server on a free port, holding the session's release (pushed by the Graph
    Store Protocol, as `xiancheng load` does)."""
    from servers import start_oxigraph
    from xiancheng.graph.push import push_release
    from xiancheng.graph.remote import Endpoint

    work = tmp_path_factory.mktemp("oxigraph-server")
    server = start_oxigraph(work / "db", work / "server.log")
    endpoint = Endpoint(server.url + "/query", server.url + "/update", server.url + "/store")
    push_release(endpoint, release, batch=4000)
    endpoint.close()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ondisk_app(data_dir, release, ondisk_path):
    """The service on the on-disk store (its own query worker)."""
    from xiancheng.service import create_app

    app = create_app(release=release, data_dir=data_dir, store_path=str(ondisk_path),
                     query_workers=1, query_timeout=3.0, access_log=False)
    yield app
    app.extensions["xiancheng"].close()


@pytest.fixture(scope="session")
def remote_app(data_dir, release, oxigraph_server):
    """The service on the remote Oxigraph server (no data of its own)."""
    from xiancheng.service import create_app

    app = create_app(release=release, data_dir=data_dir, query_timeout=3.0, access_log=False,
                     remote_query_url=oxigraph_server.url + "/query")
    yield app
    app.extensions["xiancheng"].close()


# --- the W3C protocol tests' dataset, served ---------------------------------------------------

@pytest.fixture(scope="session")
def w3c_server(tmp_path_factory):
    """``xiancheng serve`` on a free port, holding every ``ut:graphData`` of the W3C SPARQL 1.1
    Protocol manifest (data1.nt … as named graphs under the IRIs of their rdfs:label)."""
    from servers import start_xiancheng
    from w3c.manifest import protocol_graph_data
    from xiancheng.graph.release import release_from_quads

    data_dir = tmp_path_factory.mktemp("w3c-data")
    release_from_quads(data_dir / "releases", protocol_graph_data())
    server = start_xiancheng(data_dir, tmp_path_factory.mktemp("w3c-logs") / "server.log",
                             query_timeout=5, query_workers=1)
    yield server
    server.stop()

# --- synthetic data (bench/synthetic.py) -------------------------------------------------------

@pytest.fixture(scope="session")
def synthetic_10k(tmp_path_factory):
    """About 10k synthetic triples as an N-Quads file, and the generator's summary."""
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))  # bench/ is not installed
    from bench import synthetic

    path = tmp_path_factory.mktemp("synthetic") / "synthetic-10k.nq"
    return path, synthetic.write(10_000, path)


# --- writes (issue 7): a data directory, an app and a server that accept writes -----------------

@pytest.fixture(scope="session")
def writable(release, tmp_path_factory):
    """(data_dir, tokens): a copy of the release and tokens named alice (write), reader (read)
    and root (admin); tokens maps each name to its secret."""
    from writable import WRITE_ROLES, writable_data_dir

    return writable_data_dir(release, tmp_path_factory.mktemp("writable") / "data", WRITE_ROLES)


@pytest.fixture(scope="session")
def write_app(writable):
    """An app (Flask test client side) that accepts writes, with its own query worker."""
    from writable import close_app
    from xiancheng.service import create_app

    data_dir, tokens = writable
    app = create_app(data_dir=data_dir, query_timeout=5.0, query_workers=1, query_budget=0)
    app.tokens = tokens
    yield app
    close_app(app)


@pytest.fixture
def write_client(write_app):
    return write_app.test_client()
