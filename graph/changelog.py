"""The change log: every accepted write as a PROV-O activity in its own named graph.

    <…/id/change/42> a xc:Change, prov:Activity ;
        rdfs:label "change 42 by alice"@en, "变更 42(alice)"@zh ;
        prov:wasAssociatedWith <…/id/agent/alice> ;
        prov:startedAtTime "…"^^xsd:dateTime ; prov:endedAtTime "…"^^xsd:dateTime ;
        xc:request "DELETE { … } INSERT { … } WHERE { … }" ;
        xc:changedGraph <…/graph/figures> ;
        xc:triplesAdded 1 ; xc:triplesRemoved 1 ;
        xc:patch "D <…> <…> \"…\" <…> .\\nA …" ;
        xc:dataVersion "0.1.0-abc+42" .

The log lives in ``…/graph/changes`` (the server writes it; clients may only read it), so
``SELECT … WHERE { GRAPH <…/graph/changes> { ?change prov:wasAssociatedWith ?who } }`` answers
"who changed what, when". Inferences are not counted or patched: they follow from the rest.
"""

from __future__ import annotations

import datetime

import pyoxigraph as ox

from .livestore import Change

PROV = "http://www.w3.org/ns/prov#"
XC = "https://kg.xiancheng.example/def/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_PATCH = 64 * 1024
MAX_REQUEST = 64 * 1024


def changes_graph(base: str) -> str:
    return f"{base}graph/changes"


def _time(moment: datetime.datetime) -> ox.Literal:
    return ox.Literal(moment.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds")
                      .replace("+00:00", "Z"), datatype=ox.NamedNode(XSD + "dateTime"))


def patch(change: Change) -> str:
    rows = [f"D {ox.serialize([q], format=ox.RdfFormat.N_QUADS).decode().strip()}"
            for q in sorted(change.removed, key=str)]
    rows += [f"A {ox.serialize([q], format=ox.RdfFormat.N_QUADS).decode().strip()}"
             for q in sorted(change.added, key=str)]
    return "\n".join(rows)


def record(base: str, version: int, agent: str, request: str, change: Change,
           started: datetime.datetime, ended: datetime.datetime, data_version: str) -> set:
    """The quads describing write ``version`` (``change`` holds the asserted triples only)."""
    graph = ox.NamedNode(changes_graph(base))
    node = ox.NamedNode(f"{base}id/change/{version}")
    who = ox.NamedNode(f"{base}id/agent/{agent}")

    def q(s, p, o):
        return ox.Quad(s, p if isinstance(p, ox.NamedNode) else ox.NamedNode(p), o, graph)

    def integer(n):
        return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))

    quads = {
        q(node, RDF_TYPE, ox.NamedNode(XC + "Change")),
        q(node, RDF_TYPE, ox.NamedNode(PROV + "Activity")),
        q(node, RDFS_LABEL, ox.Literal(f"change {version} by {agent}", language="en")),
        q(node, RDFS_LABEL, ox.Literal(f"变更 {version}({agent})", language="zh")),
        q(node, PROV + "wasAssociatedWith", who),
        q(node, PROV + "startedAtTime", _time(started)),
        q(node, PROV + "endedAtTime", _time(ended)),
        q(node, XC + "request", ox.Literal(request if len(request) <= MAX_REQUEST
                                           else request[:MAX_REQUEST] + " …")),
        q(node, XC + "triplesAdded", integer(len(change.added))),
        q(node, XC + "triplesRemoved", integer(len(change.removed))),
        q(node, XC + "dataVersion", ox.Literal(data_version)),
        q(who, RDF_TYPE, ox.NamedNode(PROV + "Agent")),
        q(who, RDFS_LABEL, ox.Literal(agent, language="en")),
        q(who, RDFS_LABEL, ox.Literal(agent, language="zh")),
    }
    for name in sorted(change.graphs()):
        if name:
            quads.add(q(node, XC + "changedGraph", ox.NamedNode(name)))
    text = patch(change)
    if len(text.encode("utf-8")) <= MAX_PATCH:
        quads.add(q(node, XC + "patch", ox.Literal(text)))
    return quads
