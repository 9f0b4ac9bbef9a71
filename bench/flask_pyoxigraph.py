"""The floor for a Flask service on pyoxigraph: a bare app, for bench/http_load.py to measure beside
this service (server ``flask-pyoxigraph``).

One route, ``GET /sparql?query=…``, runs the query in the HTTP process on the union of the named
graphs and answers SPARQL JSON. Nothing else: no screen, no deadline, no worker processes, no row
cap, no cache, no content negotiation, no metrics. Not safe to expose; it exists to show what the
HTTP server, Flask and pyoxigraph cost by themselves on this machine, so that the service's own
share of the added latency can be read off the same run. It runs under granian with the service's
HTTP workers and threads:

    XIANCHENG_BARE_NQUADS=release.nq.gz granian --interface wsgi --factory \\
        --workers 2 --blocking-threads 8 --port 8001 flask_pyoxigraph:create_app
"""

import gzip
import os

import pyoxigraph as ox
from flask import Flask, Response, request

JSON_RESULTS = "application/sparql-results+json"


def create_app() -> Flask:
    store = ox.Store()
    data = open(os.environ["XIANCHENG_BARE_NQUADS"], "rb").read()
    store.bulk_load(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data, ox.RdfFormat.N_QUADS)
    app = Flask(__name__)

    @app.get("/sparql")
    def sparql():
        result = store.query(request.args["query"], use_default_graph_as_union=True)
        return Response(result.serialize(format=ox.QueryResultsFormat.JSON), mimetype=JSON_RESULTS)

    return app
