"""What the map view draws: Shanxi's divisions at their centroids, marked by a programme (the
divisions designated under it, or holding a town designated under it), by the specialty towns and
rural e-towns located in them, or shaded by an indicator's figures for them.

Reads a collapsed network (designations and observations as edges); returns plain data.
"""

from __future__ import annotations

from collections import defaultdict

from .network import X, Network, NetworkError, curie
from .network_explore import details

DIVISION = X + "AdministrativeDivision"
PROVINCE = X + "Province"   # the whole that the map shows; not a marker on it
TOWN_CLASSES = (X + "SpecialtyTown", X + "RuralETown")
LAYERS = ("none", "programme", "towns", "indicator")


def _divisions(network: Network) -> dict[str, dict]:
    graph = network.graph
    out = {}
    for node, data in graph.nodes(data=True):
        if "lat" in data and network.is_a(node, DIVISION) and not network.is_a(node, PROVINCE):
            parent = next((v for _, v, p in graph.out_edges(node, data="predicate_iri")
                           if p == X + "parentDivision"), None)
            out[node] = {**network.summary(node), "level": data.get("divisionLevel", ""),
                         "parent": parent, "value": None, "detail": []}
    return out


def _towns_in(network: Network, division: str) -> list[str]:
    return [t for t, _, p in network.graph.in_edges(division, data="predicate_iri")
            if p == X + "locatedIn" and any(network.is_a(t, c) for c in TOWN_CLASSES)]


def options(network: Network) -> dict:
    """The programmes and indicators the map can show (those with a division to mark)."""
    divisions = _divisions(network)
    programmes, indicators = defaultdict(set), defaultdict(set)
    for u, v, data in network.graph.edges(data=True):
        place = u if u in divisions else next(
            (d for _, d, p in network.graph.out_edges(u, data="predicate_iri")
             if p == X + "locatedIn" and d in divisions), None)
        if place is None:
            continue
        if data.get("kind") == "designation":
            programmes[v].add(place)
        elif data.get("kind") == "observation" and u in divisions:
            indicators[v].add(place)

    def listed(found):
        return sorted(({**network.summary(n), "divisions": len(ds)} for n, ds in found.items()),
                      key=lambda x: (-x["divisions"], x["label"]))
    return {"programmes": listed(programmes), "indicators": listed(indicators)}


def map_layer(network: Network, layer: str = "none", programme: str | None = None,
              indicator: str | None = None, period: str | None = None) -> dict:
    """Every division with coordinates and, for the chosen layer, its value and the detail
    behind it (designations, towns, figures)."""
    if not network.projection.collapse:
        raise NetworkError("the map reads designations and observations as edges: use collapse=true")
    if layer not in LAYERS:
        raise NetworkError(f"unknown layer {layer!r}; use one of: {', '.join(LAYERS)}")
    graph = network.graph
    divisions = _divisions(network)
    out = {"layer": layer, "title_zh": "行政区划", "title_en": "Divisions", "unit": None}
    if layer == "programme":
        if not programme:
            raise NetworkError("layer=programme needs programme=<IRI of a programme>")
        target = network.resolve(programme)
        out.update(title_zh=graph.nodes[target]["label_zh"], title_en=graph.nodes[target]["label_en"],
                   programme=network.summary(target))
        for division, info in divisions.items():
            for who in [division, *_towns_in(network, division)]:
                for _, v, data in graph.out_edges(who, data=True):
                    if v == target and data.get("kind") == "designation":
                        info["detail"].append({"via": data["via"], "designee": network.summary(who),
                                               "details_zh": details(network, data, "zh"),
                                               "details_en": details(network, data, "en")})
            if info["detail"]:
                info["value"] = len({d["designee"]["id"] for d in info["detail"]})
    elif layer == "towns":
        out.update(title_zh="专业镇与乡村e镇", title_en="Specialty towns and rural e-towns")
        for division, info in divisions.items():
            towns = _towns_in(network, division)
            info["detail"] = [network.summary(t) for t in sorted(towns)]
            info["value"] = len(towns) or None
    elif layer == "indicator":
        if not indicator:
            raise NetworkError("layer=indicator needs indicator=<IRI of an indicator>")
        target = network.resolve(indicator)
        out.update(title_zh=graph.nodes[target]["label_zh"], title_en=graph.nodes[target]["label_en"],
                   indicator=network.summary(target))
        periods = set()
        for division, info in divisions.items():
            for _, v, data in graph.out_edges(division, data=True):
                if v == target and data.get("kind") == "observation":
                    periods.add(data.get("refPeriod"))
                    info["detail"].append({"period": data.get("refPeriod"), "value": data.get("obsValue"),
                                           "unit": data.get("unitOfMeasure"),
                                           "as_stated": data.get("valueAsStated")})
        chosen = _period(network, periods, period)
        out["periods"] = [network.summary(p) if p in graph else {"id": p} for p in sorted(filter(None, periods))]
        out["period"] = chosen
        for info in divisions.values():
            values = [d for d in info["detail"] if d["period"] == chosen]
            if values and isinstance(values[0]["value"], (int, float)):
                info["value"] = values[0]["value"]
                unit = values[0]["unit"]
                out["unit"] = network.summary(unit) if unit in graph else unit
    elif programme or indicator:
        raise NetworkError("programme= and indicator= need layer=programme or layer=indicator")
    values = [d["value"] for d in divisions.values() if d["value"] is not None]
    out["max"] = max(values) if values else None
    out["min"] = min(values) if values else None
    out["divisions"] = sorted(divisions.values(), key=lambda d: d.get("code") or d["id"])
    return out


def _period(network: Network, periods: set, wanted: str | None):
    periods = {p for p in periods if p}
    if wanted:
        for p in periods:
            if wanted in (p, curie(p), p.rsplit("/", 1)[-1]):
                return p
        raise NetworkError(f"no figures for period {wanted!r}; the indicator has: "
                           + ", ".join(sorted(p.rsplit("/", 1)[-1] for p in periods)))
    return max(periods) if periods else None
