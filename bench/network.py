"""Time the network: projecting the shipped release and a synthetic ~1M-triple release into
networkx, and asking path and neighbour questions over HTTP.

Prints, measured in the same run:

* the projection of the shipped release (target: well under 1 s), against loading the same
  N-Quads into pyoxigraph and into rdflib;
* the projection of a synthetic domain-shaped release of about a million triples (target: under a
  minute), against pyoxigraph's bulk load of the same bytes;
* the p50/p90 latency over HTTP (waitress, keep-alive, one client) of path and neighbour
  questions on the shipped release (target: p50 under 50 ms), against a one-hop SPARQL query on
  the same server (its result cache turned off, so every query runs).

The synthetic data is generated here (divisions, towns, programmes, designations, observations,
evidence, inferred part-of and participation), shaped like the shipped sources and carrying the
shipped ontology graph.

    python bench/network.py [--triples 1000000] [--requests 300] [--skip-synthetic] [--skip-http]
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

KG = "https://kg.xiancheng.example/"
XC = KG + "def/"
ID = KG + "id/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def timed(fn, runs):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# --- synthetic data ------------------------------------------------------------------------------

def synthetic_nquads(target: int, ontology_lines: list[bytes]) -> tuple[bytes, dict]:
    """About ``target`` triples of domain-shaped data, as N-Quads, and the graph names."""
    graphs = {name: f"<{KG}graph/{name}>" for name in
              ("divisions", "towns", "programmes", "designations", "observations", "inferred")}
    out: list[str] = []
    add = out.append

    def q(s, p, o, g):
        add(f"{s} {p} {o} {graphs[g]} .\n")

    def iri(kind, key):
        return f"<{ID}{kind}/{key}>"

    def x(name):
        return f"<{XC}{name}>"

    def labels(s, zh, en, g):
        q(s, LABEL, f'"{zh}"@zh', g)
        q(s, LABEL, f'"{en}"@en', g)

    def evidence(s, key, source, g):
        e = f"<{s[1:-1]}/evidence/{key}>"
        q(s, x("evidence"), e, g)
        q(e, RDF_TYPE, x("Evidence"), g)
        q(e, "<http://purl.org/dc/terms/source>", source, g)
        q(e, x("quote"), f'"据报道 {key}"', g)

    sources = [iri("source", f"s{i}") for i in range(500)]
    departments = [iri("organisation", f"d{i}") for i in range(60)]
    programmes = [iri("programme", f"p{i}") for i in range(200)]
    industries = [iri("industry", f"i{i}") for i in range(300)]
    indicators = [iri("indicator", f"n{i}") for i in range(100)]
    periods = [iri("period", str(2010 + i)) for i in range(12)]
    units = [iri("unit", f"u{i}") for i in range(10)]
    for i, s in enumerate(sources):
        q(s, RDF_TYPE, x("SourceDocument"), "programmes")
        labels(s, f"来源{i}", f"Source {i}", "programmes")
    for i, d in enumerate(departments):
        q(d, RDF_TYPE, x("GovernmentBody"), "programmes")
        labels(d, f"部门{i}", f"Department {i}", "programmes")
    for i, p in enumerate(programmes):
        q(p, RDF_TYPE, x("Programme"), "programmes")
        labels(p, f"项目{i}", f"Programme {i}", "programmes")
        q(p, x("ledBy"), departments[i % len(departments)], "programmes")
        q(departments[i % len(departments)], x("leads"), p, "inferred")
        if i:
            q(p, x("serves"), programmes[i // 10], "programmes")
        evidence(p, "a", sources[i % len(sources)], "programmes")
    for kind, things, cls in (("industry", industries, "<http://www.w3.org/2004/02/skos/core#Concept>"),
                              ("indicator", indicators, x("Indicator")), ("period", periods, x("Period")),
                              ("unit", units, x("Unit"))):
        for i, t in enumerate(things):
            q(t, RDF_TYPE, cls, "programmes")
            labels(t, f"{kind}{i}", f"{kind} {i}", "programmes")

    province = iri("division", "990000")
    q(province, RDF_TYPE, x("Province"), "divisions")
    labels(province, "某省", "A Province", "divisions")
    per_county = 180   # triples per county with its towns, designations and observations
    counties = max(10, target // per_county)
    county = 0
    while len(out) < target:
        city = iri("division", f"99{county // 10:04d}")
        if county % 10 == 0:
            q(city, RDF_TYPE, x("PrefectureLevelCity"), "divisions")
            labels(city, f"市{county // 10}", f"City {county // 10}", "divisions")
            q(city, x("parentDivision"), province, "divisions")
        c = iri("division", f"c{county}")
        q(c, RDF_TYPE, x("County"), "divisions")
        labels(c, f"县{county}", f"County {county}", "divisions")
        q(c, x("divisionCode"), f'"{county:06d}"', "divisions")
        q(c, x("parentDivision"), city, "divisions")
        q(c, x("divisionLevel"), f"<{XC}division-level/county>", "divisions")
        centroid = f"<{c[1:-1]}/centroid>"
        q(c, "<http://www.opengis.net/ont/geosparql#hasCentroid>", centroid, "divisions")
        q(centroid, RDF_TYPE, "<http://www.opengis.net/ont/geosparql#Geometry>", "divisions")
        q(centroid, x("latitude"), f'"{35 + county % 500 / 100}"^^<http://www.w3.org/2001/XMLSchema#decimal>', "divisions")
        q(centroid, x("longitude"), f'"{110 + county // 500 / 100}"^^<http://www.w3.org/2001/XMLSchema#decimal>', "divisions")
        evidence(c, "census", sources[county % 500], "divisions")
        for target_kind, who, n in (("county", c, 2), ("town", None, 3)):
            for j in range(n):
                subject = who
                if target_kind == "town":
                    subject = iri("specialty-town", f"t{county}-{j}")
                    q(subject, RDF_TYPE, x("SpecialtyTown"), "towns")
                    labels(subject, f"镇{county}-{j}", f"Town {county}-{j}", "towns")
                    q(subject, x("locatedIn"), c, "towns")
                    q(subject, x("industry"), industries[(county * 7 + j) % len(industries)], "towns")
                    evidence(subject, "list", sources[(county + j) % 500], "towns")
                programme = programmes[(county * 3 + j * 17 + (target_kind == "town") * 101) % len(programmes)]
                d = iri("designation", f"{target_kind}-{county}-{j}")
                q(d, RDF_TYPE, x("Designation"), "designations")
                q(d, x("designee"), subject, "designations")
                q(d, x("designatedUnder"), programme, "designations")
                q(d, x("batch"), f'"{1 + j}"^^<http://www.w3.org/2001/XMLSchema#integer>', "designations")
                q(d, x("designationYear"), f'"{2018 + county % 6}"^^<http://www.w3.org/2001/XMLSchema#gYear>', "designations")
                evidence(d, "notice", sources[(county * 5 + j) % 500], "designations")
                q(subject, x("participatesIn"), programme, "inferred")
        for j in range(10):
            o = iri("observation", f"{county}-{j}")
            q(o, RDF_TYPE, "<http://purl.org/linked-data/cube#Observation>", "observations")
            q(o, x("refArea"), c, "observations")
            q(o, x("indicator"), indicators[(county + j) % len(indicators)], "observations")
            q(o, x("refPeriod"), periods[j % len(periods)], "observations")
            q(o, x("obsValue"), f'"{county * 1.5 + j}"^^<http://www.w3.org/2001/XMLSchema#decimal>', "observations")
            q(o, x("unitOfMeasure"), units[j % len(units)], "observations")
            evidence(o, "bulletin", sources[(county + 3 * j) % 500], "observations")
        q(c, x("partOf"), city, "inferred")
        q(c, x("partOf"), province, "inferred")
        county += 1
    names = {g[1:-1]: name for name, g in graphs.items()}
    names[f"{KG}graph/ontology"] = "ontology"
    data = "".join(out).encode("utf-8") + b"".join(ontology_lines)
    return data, {"names": names, "triples": len(out) + len(ontology_lines), "counties": county,
                  "planned": counties}


# --- HTTP ----------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, log: Path):
    port = free_port()
    env = {**os.environ, "XIANCHENG_DATA_DIR": str(data_dir), "XIANCHENG_PORT": str(port),
           "XIANCHENG_CACHE_BYTES": "0"}   # no cached SPARQL answers: every peer query runs
    process = subprocess.Popen([sys.executable, "-m", "xiancheng", "serve"], env=env,
                               stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/network")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(log.read_text(errors="replace"))


def latencies(port: int, urls: list[str]) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for url in urls:
        start = time.perf_counter()
        conn.request("GET", url, headers={"Accept": "application/json"})
        response = conn.getresponse()
        response.read()
        times.append(time.perf_counter() - start)
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
    conn.close()
    return times


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()

    import pyoxigraph as ox
    from rdflib import Dataset

    from xiancheng.graph.network import Projection, build_network
    from xiancheng.graph.release import make_release

    tmp = Path(tempfile.mkdtemp(prefix="xiancheng-bench-network-"))
    release = make_release(tmp / "releases")
    with gzip.open(release.file("nquads")) as f:
        nquads = f.read()
    names = {g["iri"]: name for name, g in release.graphs.items()}

    def project(data, graph_names, projection=Projection()):
        return build_network(data, projection, graph_names=graph_names, release_id="bench")

    print(f"shipped release {release.id}: {release.triples} triples")
    t_net, net = timed(lambda: project(nquads, names), args.runs)
    t_inf, net_inf = timed(lambda: project(nquads, names, Projection(inferred=True, evidence=True)), args.runs)
    t_ox, _ = timed(lambda: ox.Store().bulk_load(nquads, ox.RdfFormat.N_QUADS), args.runs)
    t_rdflib, _ = timed(lambda: Dataset().parse(data=nquads, format="nquads"), max(1, args.runs // 2))
    print(f"  projection (default)                 {t_net * 1000:8.1f} ms  "
          f"{net.graph.number_of_nodes()} nodes, {net.graph.number_of_edges()} edges")
    print(f"  projection (inferred + evidence)     {t_inf * 1000:8.1f} ms  "
          f"{net_inf.graph.number_of_edges()} edges")
    print(f"  peer: pyoxigraph bulk load           {t_ox * 1000:8.1f} ms  ratio {t_net / t_ox:.2f}")
    print(f"  peer: rdflib Dataset parse           {t_rdflib * 1000:8.1f} ms  ratio {t_net / t_rdflib:.2f}")

    if not args.skip_synthetic:
        ontology = [line + b"\n" for line in nquads.splitlines()
                    if line.endswith(f"<{KG}graph/ontology> .".encode())]
        start = time.perf_counter()
        data, info = synthetic_nquads(args.triples, ontology)
        t_gen = time.perf_counter() - start
        print(f"synthetic release: {info['triples']} triples ({info['counties']} counties; "
              f"generated in {t_gen:.1f} s, {len(data) / 1e6:.0f} MB of N-Quads)")
        t_big, big = timed(lambda: project(data, info["names"]), 1)
        t_big_inf, big_inf = timed(lambda: project(data, info["names"], Projection(inferred=True)), 1)
        t_big_ox, _ = timed(lambda: ox.Store().bulk_load(data, ox.RdfFormat.N_QUADS), 1)
        t_parse, _ = timed(lambda: sum(1 for _ in ox.parse(data, format=ox.RdfFormat.N_QUADS)), 1)
        print(f"  projection (default)                 {t_big:8.2f} s   "
              f"{big.graph.number_of_nodes()} nodes, {big.graph.number_of_edges()} edges")
        print(f"  projection (inferred)                {t_big_inf:8.2f} s   {big_inf.graph.number_of_edges()} edges")
        print(f"  peer: pyoxigraph bulk load           {t_big_ox:8.2f} s   ratio {t_big / t_big_ox:.2f}")
        print(f"  limit: pyoxigraph parse only         {t_parse:8.2f} s   ratio {t_big / t_parse:.2f}")
        del big, big_inf, data

    if not args.skip_http:
        process, port = start_server(tmp, tmp / "server.log")
        try:
            counties = sorted(n for n, d in net.graph.nodes(data=True) if d["type"] == "xc:County")
            departments = sorted(n for n, d in net.graph.nodes(data=True) if d["type"] == "xc:GovernmentBody")
            n = args.requests
            pick = [counties[i % len(counties)] for i in range(n)]
            enc = urllib.parse.quote
            suites = {
                "paths k=3 (county → department)": [
                    f"/network/paths?from={enc(c)}&to={enc(departments[i % len(departments)])}&k=3"
                    for i, c in enumerate(pick)],
                "neighbours hops=1": [f"/network/neighbours?iri={enc(c)}" for c in pick],
                "neighbours hops=2, type=xc:County": [
                    f"/network/neighbours?iri={enc(c)}&hops=2&type=xc:County" for c in pick],
                "peer: SPARQL one hop (/sparql)": [
                    "/sparql?query=" + enc(f"SELECT ?p ?o WHERE {{ {{ <{c}> ?p ?o }} UNION {{ ?o ?p <{c}> }} "
                                           f"FILTER(isIRI(?o)) }}") for c in pick],
            }
            for urls in suites.values():   # warm up: projection, workers, caches of the code paths
                latencies(port, urls[:20])
            results = {name: latencies(port, urls) for name, urls in suites.items()}
            peer = statistics.median(results["peer: SPARQL one hop (/sparql)"])
            print(f"HTTP on the shipped release ({n} requests each, one keep-alive client)")
            for name, times in results.items():
                p50 = statistics.median(times)
                print(f"  {name:38s} p50 {p50 * 1000:6.1f} ms  p90 {percentile(times, 90) * 1000:6.1f} ms"
                      f"  ratio to SPARQL one hop {p50 / peer:.2f}")
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
