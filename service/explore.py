"""The exploration API (JSON under /network), the exports, and the two web views: the graph
explorer (/explore) and the map (/explore/map).

The network is projected from the served release on first use and cached (graph.network);
every answer carries the release id in ``X-Data-Version``. Parameters are checked strictly: an
unknown or repeated parameter, an entity not in the network, an unknown type or predicate, or a
number out of bounds gets a 4xx saying what to fix.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from xiancheng.graph import network_explore as explore
from xiancheng.graph import network_map, network_rank
from xiancheng.graph import exports
from xiancheng.graph.network import NetworkError, Projection, network_for

from .errors import ApiError, error_response
from .hardening import query_args
from .sparql import service

bp = Blueprint("explore", __name__)


@bp.record_once
def _warm(state) -> None:
    """Project the default network in the background as the app starts, so that the first
    question does not wait for it."""
    import threading

    release = state.app.extensions["xiancheng"].release
    threading.Thread(target=network_for, args=(release,), daemon=True, name="network-warm").start()

PROJECTION = ("inferred", "collapse", "evidence")
MULTI = {"type", "predicate", "kind"}


class Params:
    """The query string of one request, checked against the parameters the endpoint takes."""

    def __init__(self, known: set[str]):
        self.args = query_args()
        known = set(known) | set(PROJECTION)
        for name in self.args:
            if name not in known:
                raise ApiError(400, "Unknown parameter", f"{name!r} is not a parameter of "
                               f"{request.path}; it takes: {', '.join(sorted(known))}")
            if name not in MULTI and len(self.args.getlist(name)) > 1:
                raise ApiError(400, "Repeated parameter", f"give {name!r} once")

    def text(self, name: str, default: str | None = None, required: bool = False) -> str | None:
        value = self.args.get(name, default)
        if required and not value:
            raise ApiError(400, "Missing parameter", f"{request.path} needs {name}=…")
        return value

    def many(self, name: str) -> list[str]:
        return [v.strip() for value in self.args.getlist(name) for v in value.split(",") if v.strip()]

    def integer(self, name: str, default: int, low: int = 1, high: int | None = None,
                setting: str | None = None) -> int:
        raw = self.args.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiError(400, "Invalid parameter", f"{name} must be a whole number, not {raw!r}") from None
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            if setting and high is not None and value > high:
                bound += f" (setting {setting})"
            raise ApiError(400, "Invalid parameter", f"{name}={value} is out of range: give {bound}")
        return value

    def number(self, name: str, default: float) -> float:
        raw = self.args.get(name)
        if raw is None or raw == "":
            return default
        try:
            return float(raw)
        except ValueError:
            raise ApiError(400, "Invalid parameter", f"{name} must be a number, not {raw!r}") from None

    def flag(self, name: str, default: bool) -> bool:
        raw = self.args.get(name)
        if raw is None or raw == "":
            return default
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ApiError(400, "Invalid parameter", f"{name} must be true or false, not {raw!r}")

    def network(self, collapse_required: bool = False):
        projection = Projection(inferred=self.flag("inferred", False),
                                collapse=self.flag("collapse", True),
                                evidence=self.flag("evidence", False))
        if collapse_required and not projection.collapse:
            raise ApiError(400, "Invalid parameter", f"{request.path} reads designations and "
                           "observations as edges: leave collapse=true")
        return network_for(service().release, projection)


def limits() -> explore.Limits:
    s = service().settings
    return explore.Limits(max_hops=s.network_max_hops, max_paths=s.network_max_paths,
                          max_nodes=s.network_max_nodes, max_edges=s.network_max_edges,
                          timeout=s.network_timeout)


def answer(data) -> Response:
    response = jsonify(data)
    response.headers["X-Data-Version"] = service().release.id
    return response


@bp.errorhandler(NetworkError)
def network_error(e: NetworkError):
    titles = {400: "Invalid request", 404: "Unknown entity", 504: "Timeout"}
    return error_response(e.status, titles.get(e.status, "Invalid request"), str(e),
                          {"Retry-After": "5"} if e.status == 504 else None)


# --- the JSON API --------------------------------------------------------------------------------

@bp.route("/network")
def summary():
    p = Params(set())
    net = p.network()
    data = net.describe()
    data["endpoints"] = {name: url_for(f"explore.{name}", _external=True) for name in
                         ("search", "entity", "neighbours", "paths", "centrality", "communities",
                          "similar", "subgraph", "export", "map_data", "explorer", "map_page")}
    data["export_formats"] = [{"format": f.name, "media_type": f.media_type,
                               "extension": f.extension, "description": f.description}
                              for f in exports.EXPORT_FORMATS.values()]
    return answer(data)


@bp.route("/network/search")
def search():
    p = Params({"q", "type", "limit"})
    net = p.network()
    limit = p.integer("limit", 20, 1, limits().max_nodes)
    return answer({"q": p.text("q", required=True),
                   "results": explore.search(net, p.text("q"), p.many("type"), limit)})


@bp.route("/network/entity")
def entity():
    p = Params({"iri"})
    net = p.network()
    node = net.resolve(p.text("iri", required=True))
    data = net.graph.nodes[node]
    counts: dict[str, int] = {}
    for *_, predicate in [*net.graph.out_edges(node, data="predicate"),
                          *net.graph.in_edges(node, data="predicate")]:
        counts[predicate] = counts.get(predicate, 0) + 1
    return answer({**net.summary(node),
                   "attributes": {k: v for k, v in data.items() if k != "type_iri"},
                   "degree": net.undirected.degree(node), "edges_by_predicate": counts})


@bp.route("/network/neighbours")
def neighbours():
    p = Params({"iri", "hops", "type", "predicate", "direction"})
    net, lim = p.network(), limits()
    return answer(explore.neighbours(net, p.text("iri", required=True),
                                     hops=p.integer("hops", 1, 1, lim.max_hops, "network_max_hops"),
                                     types=p.many("type"), predicates=p.many("predicate"),
                                     direction=p.text("direction", "both"), limits=lim))


@bp.route("/network/paths")
def paths():
    p = Params({"from", "to", "k", "max_hops", "predicate"})
    net, lim = p.network(), limits()
    return answer(explore.paths(net, p.text("from", required=True), p.text("to", required=True),
                                k=p.integer("k", 3, 1, lim.max_paths, "network_max_paths"),
                                max_hops=p.integer("max_hops", lim.max_hops, 1, lim.max_hops,
                                                   "network_max_hops"),
                                predicates=p.many("predicate"), limits=lim))


@bp.route("/network/centrality")
def centrality():
    p = Params({"measure", "type", "neighbour_type", "limit"})
    net, lim = p.network(), limits()
    return answer(network_rank.centrality(net, p.text("measure", "degree"), p.text("type"),
                                          p.text("neighbour_type"),
                                          p.integer("limit", 20, 1, lim.max_nodes, "network_max_nodes"), lim))


@bp.route("/network/communities")
def communities():
    p = Params({"method", "min_size", "limit", "members", "resolution", "seed"})
    net, lim = p.network(), limits()
    return answer(network_rank.communities(
        net, p.text("method", "louvain"), p.integer("min_size", 1), p.integer("limit", 50, 1, lim.max_nodes, "network_max_nodes"),
        p.integer("members", 100, 1, lim.max_nodes, "network_max_nodes"), p.number("resolution", 1.0),
        p.integer("seed", 0, 0), lim))


@bp.route("/network/similar")
def similar():
    p = Params({"iri", "type", "kind", "limit"})
    net, lim = p.network(collapse_required=True), limits()
    return answer(network_rank.similar(net, p.text("iri", required=True), p.text("type"),
                                       p.integer("limit", 10, 1, lim.max_nodes, "network_max_nodes"),
                                       p.many("kind") or None, lim))


def _subgraph(p: Params):
    net, lim = p.network(), limits()
    focus = p.text("iri")
    if focus is None:
        if p.many("type") or p.many("predicate") or p.args.get("radius"):
            raise ApiError(400, "Missing parameter", "radius, type and predicate apply around a "
                           "focus: give iri=… too")
        return net, net.graph, None
    sub = explore.subgraph(net, focus, p.integer("radius", 1, 1, lim.max_hops, "network_max_hops"),
                           p.many("type"),
                           p.many("predicate"), lim)
    return net, sub, sub.graph["focus"]


@bp.route("/network/subgraph")
def subgraph():
    p = Params({"iri", "radius", "type", "predicate"})
    p.text("iri", required=True)
    _, sub, _ = _subgraph(p)
    return answer(exports.cytoscape_elements(sub))


@bp.route("/network/export", endpoint="export")
@bp.route("/network/export.<ext>", endpoint="export_as")
def export_network(ext: str | None = None):
    p = Params({"format", "iri", "radius", "type", "predicate"})
    if ext and p.text("format"):
        raise ApiError(400, "Two formats", f"the path asks for .{ext}: leave out format=")
    name = ext or p.text("format", required=True)
    try:
        fmt = exports.export_format(name)
    except KeyError as e:
        raise ApiError(404 if ext else 400, "Unknown format", e.args[0]) from None
    net, graph, focus = _subgraph(p)
    response = Response(exports.export(graph, fmt), mimetype=fmt.media_type)
    if fmt.media_type.startswith("text/") or fmt.media_type.endswith(("json", "xml")):
        response.headers["Content-Type"] = fmt.media_type + "; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.file_name(fmt, net.release_id, focus)}"')
    response.headers["X-Data-Version"] = net.release_id
    return response


@bp.route("/network/map")
def map_data():
    p = Params({"layer", "programme", "indicator", "period"})
    net = p.network(collapse_required=True)
    return answer(network_map.map_layer(net, p.text("layer", "none"), p.text("programme"),
                                        p.text("indicator"), p.text("period")))


@bp.route("/network/map/options")
def map_options():
    p = Params(set())
    return answer(network_map.options(p.network(collapse_required=True)))


# --- the web views -------------------------------------------------------------------------------

@bp.route("/explore")
def explorer():
    Params({"iri"})
    svc = service()
    link = f'<{url_for("explore.summary")}>; rel="alternate"; type="application/json"'
    return render_template("explore.html", release=svc.release), 200, {"Link": link}


@bp.route("/explore/map")
def map_page():
    Params({"layer", "programme", "indicator"})
    svc = service()
    link = f'<{url_for("explore.map_data")}>; rel="alternate"; type="application/json"'
    return render_template("map.html", release=svc.release), 200, {"Link": link}
