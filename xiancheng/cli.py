"""The ``xiancheng`` command line: build, validate, query and dump the knowledge graph.

Exit codes follow pySHACL for ``validate``: 0 conforms, 1 violations, 2 error.  Other verbs exit 0
on success and 1 with a one-line message on a user error (never a traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .settings import SETTINGS, load_settings

ENGINES = ("auto", "standard", "fast")  # as xiancheng.graph.engines.ENGINES (imported lazily)


def _settings(ctx: click.Context):
    return ctx.obj["settings"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", type=click.Path(dir_okay=False, exists=True),
              help="TOML file of settings (also XIANCHENG_CONFIG).")
@click.option("--data-dir", type=click.Path(file_okay=False),
              help="Directory for releases and stores (setting data_dir).")
@click.version_option(__version__, prog_name="xiancheng")
@click.pass_context
def main(ctx, config, data_dir):
    """Xiancheng KG: the knowledge graph of county-town-centred new urbanization."""
    try:
        ctx.obj = {"settings": load_settings(config, data_dir=data_dir)}
    except (ValueError, OSError) as e:
        raise click.ClickException(str(e)) from None


def _progress(label: str):
    """A progress display on a terminal; silent when output is piped."""
    from tqdm import tqdm

    steps = ["build", "validate and reason", "write"]
    bar = tqdm(total=len(steps), desc=label, unit="step", disable=not sys.stderr.isatty(),
               bar_format="{desc}: {n_fmt}/{total_fmt} {postfix} [{elapsed}]")

    def step(name):
        if bar.n < bar.total and name != steps[0]:
            bar.update(1)
        bar.set_postfix_str(name)
    return bar, step


def _release(settings, echo=True):
    """The current release, built first if there is none."""
    from xiancheng.graph.release import current_release, make_release

    release = current_release(settings.releases_dir)
    if release is None:
        if echo:
            click.echo("No release yet; building one.", err=True)
        release = _build(settings, None, False)
    return release


def _build(settings, sources, force, engine="auto"):
    from xiancheng.graph import BuildError
    from xiancheng.graph.build import SOURCES_DIR
    from xiancheng.graph.release import make_release

    bar, step = _progress("building")
    try:
        release = make_release(settings.releases_dir, Path(sources) if sources else SOURCES_DIR,
                               base=settings.base_iri, progress=step, force=force, engine=engine)
    except BuildError as e:
        bar.close()
        raise click.ClickException(str(e)) from None
    bar.update(bar.total - bar.n)
    bar.close()
    return release


@main.command()
@click.option("--sources", type=click.Path(file_okay=False, exists=True),
              help="Directory of source files (default: the packaged graph/sources).")
@click.option("--force", is_flag=True, help="Rebuild even if a release of these inputs exists.")
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
              help="Validate and reason with pyshacl and owlrl (standard), SPARQL on Oxigraph (fast), "
                   "or by size (auto: fast above 50,000 triples).")
@click.pass_context
def build(ctx, sources, force, engine):
    """Build, validate and reason, and write a release."""
    release = _build(_settings(ctx), sources, force, engine)
    click.echo(f"release {release.id}: {release.triples} triples in {len(release.graphs)} graphs")
    click.echo(f"  {release.path}")
    for name, graph in release.graphs.items():
        click.echo(f"  {graph['triples']:>7}  {name}")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "turtle", "json"]), default="text",
              help="How to print the validation report.")
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
              help="pyshacl (standard), the shapes as SPARQL on Oxigraph (fast), or by size (auto: "
                   "fast above 50,000 triples or 10 MB of files).")
@click.pass_context
def validate(ctx, files, fmt, engine):
    """Validate the sources (or RDF FILES) against the shapes.

    Exit code 0: conforms; 1: violations; 2: error (unreadable input or sources that cannot be built).
    """
    from xiancheng.graph import BuildError, build_dataset
    from xiancheng.graph.build import load_ontology
    from xiancheng.graph.engines import choose, validate_built, validate_files
    from xiancheng.graph.formats import rdf_format
    from xiancheng.graph.validate import validate_dataset, validate_graph
    from rdflib import Dataset, Graph

    try:
        size = sum(Path(name).stat().st_size for name in files) if files else None
        built = None if files else build_dataset(base=_settings(ctx).base_iri)
        if choose(engine, triples=built and len(built.dataset), size=size) == "fast":
            result = validate_files(files) if files else validate_built(built)
        elif files:
            data = Graph()
            for name in files:
                fmt_ = rdf_format(Path(name).suffix.lstrip(".") or "turtle")
                if fmt_.dataset:
                    ds = Dataset()
                    ds.parse(name, format=fmt_.rdflib)
                    for quad in ds.quads((None, None, None, None)):
                        data.add(quad[:3])
                else:
                    data.parse(name, format=fmt_.rdflib)
            result = validate_graph(data, ontology=load_ontology())
        else:
            result = validate_dataset(built)
    except (BuildError, KeyError, OSError, SyntaxError, ValueError) as e:
        click.echo(f"error: {e}", err=True)
        ctx.exit(2)
    except Exception as e:  # a parser's own exception type: still a user input error
        click.echo(f"error: cannot read the input: {e}", err=True)
        ctx.exit(2)
    if fmt == "turtle":
        click.echo(result.report.serialize(format="turtle"))
    elif fmt == "json":
        click.echo(json.dumps({"conforms": result.conforms, "violations": [
            {"focus": str(v.focus), "path": v.path and str(v.path), "shape": str(v.shape),
             "component": str(v.component), "message": v.message} for v in result.violations]},
            ensure_ascii=False, indent=2))
    else:
        click.echo(result.text())
    ctx.exit(0 if result.conforms else 1)


class _Stdout:
    """``write`` through click.echo (handles encodings and the test runner)."""

    def write(self, text: str) -> None:
        click.echo(text, nl=False)


def _print_table(result, out):
    rows = [[("" if t is None else str(t)) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(result.variables)]
    widths = [min(w, 60) for w in widths]
    line = "  ".join(v.ljust(w) for v, w in zip(result.variables, widths))
    out.write(line.rstrip() + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for r in rows:
        out.write("  ".join(v[:60].ljust(w) for v, w in zip(r, widths)).rstrip() + "\n")
    out.write(f"({len(rows)} rows)\n")


@main.command()
@click.argument("name", required=False)
@click.option("-q", "--query", "text", help="Inline SPARQL.")
@click.option("-f", "--file", "file", type=click.File("r", encoding="utf-8"), help="A file of SPARQL.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of a named query (repeatable).")
@click.option("--format", "fmt", default="table", show_default=True,
              help="table, json, xml, csv or tsv for SELECT/ASK; turtle, ntriples, rdfxml, jsonld for CONSTRUCT.")
@click.option("--store", type=click.Choice(["oxigraph", "rdflib"]), help="Store to query (setting store).")
@click.option("--no-inference", is_flag=True, help="Leave the inferred graph out of the default graph.")
@click.pass_context
def query(ctx, name, text, file, params, fmt, store, no_inference):
    """Run a named query (see `xiancheng queries`), inline SPARQL (-q) or a file (-f)."""
    from xiancheng.graph.formats import RDF_FORMATS, RESULT_FORMATS
    from xiancheng.graph.namespaces import Minter
    from xiancheng.graph.queries import ParameterError, load_queries
    from xiancheng.graph.store import QueryError, open_store

    settings = _settings(ctx)
    if sum(x is not None for x in (name, text, file)) != 1:
        raise click.UsageError("give exactly one of NAME, --query or --file")
    values = {}
    for p in params:
        key, sep, value = p.partition("=")
        if not sep:
            raise click.UsageError(f"--param {p!r}: write NAME=VALUE")
        values[key] = value
    bindings = {}
    if name:
        queries = load_queries()
        if name not in queries:
            raise click.ClickException(f"no named query '{name}' (see `xiancheng queries`)")
        try:
            bindings = queries[name].bindings(values, Minter(settings.base_iri))
        except ParameterError as e:
            raise click.ClickException(str(e)) from None
        sparql = queries[name].text
    else:
        if values:
            raise click.UsageError("--param only applies to named queries")
        sparql = text if text is not None else file.read()
    release = _release(settings)
    engine = open_store(store or settings.store)
    engine.load_release(release)
    try:
        result = engine.query(sparql, inference=not no_inference, bindings=bindings)
    except QueryError as e:
        raise click.ClickException(f"query failed: {e}") from None
    out = _Stdout()
    if result.kind == "graph":
        fmt = "turtle" if fmt == "table" else fmt
        if fmt not in RDF_FORMATS:
            raise click.UsageError(f"--format {fmt}: a CONSTRUCT/DESCRIBE result needs one of {', '.join(RDF_FORMATS)}")
        out.write(result.serialize(RDF_FORMATS[fmt]).decode("utf-8"))
    elif fmt == "table":
        if result.kind == "ask":
            out.write(("true" if result.boolean else "false") + "\n")
        else:
            _print_table(result, out)
    else:
        if fmt not in RESULT_FORMATS:
            raise click.UsageError(f"--format {fmt}: a SELECT/ASK result needs table or one of {', '.join(RESULT_FORMATS)}")
        out.write(result.serialize(RESULT_FORMATS[fmt]).decode("utf-8"))


@main.command("queries")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def list_queries(as_json):
    """List the named queries with their summaries and parameters."""
    from xiancheng.graph.queries import load_queries

    queries = load_queries()
    if as_json:
        click.echo(json.dumps([{"name": q.name, "summary": q.summary, "params": [
            {"name": p.name, "type": p.type, "required": p.required, "description": p.description}
            for p in q.params]} for q in queries.values()], ensure_ascii=False, indent=2))
        return
    for q in queries.values():
        click.echo(f"{q.name}\n    {q.summary}")
        for p in q.params:
            flag = "required" if p.required else "optional"
            click.echo(f"    --param {p.name}=…  ({p.type}, {flag}) {p.description}")


@main.command()
@click.option("--format", "fmt", default="trig", show_default=True,
              help="trig, nquads, turtle, ntriples, rdfxml or jsonld (the last four merge all graphs).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
@click.option("--all", "all_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write the whole set served at /dumps/ (TriG, N-Quads gzip, Turtle, JSON-LD, "
                   "dumps.json, SHA256SUMS) into DIR instead.")
@click.pass_context
def dump(ctx, fmt, output, all_dir):
    """Write the current release in an RDF format (or, with --all DIR, every format)."""
    from xiancheng.graph.formats import rdf_format
    from xiancheng.graph.store import OxigraphStore

    if all_dir:
        _dump_all(_release(_settings(ctx)), Path(all_dir))
        return
    try:
        fmt_ = rdf_format(fmt)
    except KeyError as e:
        raise click.UsageError(str(e.args[0])) from None
    engine = OxigraphStore()
    engine.load_release(_release(_settings(ctx)))
    if fmt_.dataset:
        data = engine.dump(fmt_)
    else:
        data = engine.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").serialize(fmt_)
    if output:
        Path(output).write_bytes(data)
    else:
        click.get_binary_stream("stdout").write(data)


def _dump_all(release, directory: Path) -> None:
    from xiancheng.graph.dumps import write_dumps

    try:
        manifest = write_dumps(release, directory)
    except OSError as e:
        raise click.ClickException(f"cannot write the dumps into {directory}: {e}") from None
    click.echo(f"release {manifest['release']}: {manifest['triples']} triples", err=True)
    for f in manifest["files"]:
        click.echo(f"  {f['sha256']}  {f['bytes']:>9}  {directory / f['name']}", err=True)


@main.command()
@click.option("--host", help="Address to listen on (setting host).")
@click.option("--port", type=int, help="Port to listen on (setting port).")
@click.option("--server", type=click.Choice(["waitress", "gunicorn", "granian", "flask"]),
              help="WSGI server (setting server); flask is the development server.")
@click.option("--store-path", type=click.Path(file_okay=False),
              help="Serve from this on-disk Oxigraph store, loading the release once (setting store_path).")
@click.pass_context
def serve(ctx, host, port, server, store_path):
    """Serve the SPARQL endpoint, query page and named queries on the current release."""
    settings = _settings(ctx)
    settings.update({k: v for k, v in (("host", host), ("port", port), ("server", server),
                                       ("store_path", store_path)) if v})
    release = _release(settings)
    if settings.store_path and not settings.remote_query_url:
        _load_on_disk(settings.store_path, release)  # once, before any worker opens it
    from xiancheng.service.server import run_server

    click.echo(f"Serving release {release.id} at http://{settings.host}:{settings.port}/ "
               f"({settings.server}); Ctrl-C to stop.", err=True)
    from xiancheng.graph.livestore import LiveStoreBusy

    try:
        run_server(settings, release)
    except (LiveStoreBusy, ValueError) as e:   # e.g. writes with several server processes
        raise click.ClickException(str(e)) from None


@main.command()
@click.pass_context
def info(ctx):
    """Show the settings and the current release."""
    from xiancheng.graph.release import current_release

    settings = _settings(ctx)
    for setting in SETTINGS:
        value = settings[setting.name]
        if setting.name == "remote_password" and value:
            value = "(set, not shown)"
        click.echo(f"{setting.name:>10} = {value}")
    release = current_release(settings.releases_dir)
    if release is None:
        click.echo("release: none yet (run `xiancheng build`)")
        return
    click.echo(f"release: {release.id} (created {release.meta['created']}), {release.triples} triples")
    for name, graph in release.graphs.items():
        click.echo(f"  {graph['triples']:>7}  {name}")
    for line in _store_report(settings, release):
        click.echo(line)
    from xiancheng.graph.livestore import LiveStore
    from xiancheng.service.auth import Tokens, tokens_path

    live = Path(settings.data_dir) / "live"
    writes = "on" if Tokens(tokens_path(settings)).writers_configured() else "off (no write token)"
    if LiveStore.exists(live):
        store = LiveStore(live).open_reader()
        click.echo(f"writable store: {live}, version {store.version} (from release {store.meta['seed']}); "
                   f"writes {writes}")
    else:
        click.echo(f"writable store: none yet; writes {writes}")


# --- the network: exploration and exports (docs/exploration.md) ----------------------------------

def _projection_options(command):
    for option in reversed([
        click.option("--inferred/--no-inferred", default=False, show_default=True,
                     help="Add the inferred edges (part-of closure, inverses, participation)."),
        click.option("--collapse/--no-collapse", default=True, show_default=True,
                     help="Turn designations, observations, memberships and evidence into edges."),
        click.option("--evidence/--no-evidence", default=False, show_default=True,
                     help="Add provenance edges: entity —source→ document."),
        click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON."),
    ]):
        command = option(command)
    return command


def _network_call(ctx, inferred, collapse, evidence, question):
    """Run ``question(network, limits)`` on the current release's network; a bad question is a
    clean error (exit 1)."""
    from xiancheng.graph.network import NetworkError, Projection, network_for
    from xiancheng.graph.network_explore import Limits

    settings = _settings(ctx)
    network = network_for(_release(settings), Projection(inferred, collapse, evidence))
    limits = Limits(max_hops=settings.network_max_hops, max_paths=settings.network_max_paths,
                    max_nodes=settings.network_max_nodes, max_edges=settings.network_max_edges,
                    timeout=settings.network_timeout)
    try:
        return question(network, limits)
    except NetworkError as e:
        raise click.ClickException(str(e)) from None


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _who(entity: dict) -> str:
    return f"{entity['label_zh']} · {entity['label_en']}  ({entity['type']})  {entity['id']}"


@main.group("network")
def network_group():
    """Explore the graph as a network: neighbours, paths, rankings, communities, similarity."""


@network_group.command("summary")
@_projection_options
@click.pass_context
def network_summary(ctx, inferred, collapse, evidence, as_json):
    """Nodes, edges, types and predicates of the network."""
    data = _network_call(ctx, inferred, collapse, evidence, lambda net, _: net.describe())
    if as_json:
        return _echo_json(data)
    click.echo(f"release {data['release']}: {data['nodes']} nodes, {data['edges']} edges")
    for t in data["types"]:
        click.echo(f"  {t['nodes']:>6}  {t['type']}  {t['label_zh']} / {t['label_en']}")
    for p in data["predicates"]:
        click.echo(f"  {p['edges']:>6}  {p['predicate']}  {p['label_zh']} / {p['label_en']}")


@network_group.command("search")
@click.argument("text")
@click.option("--type", "types", multiple=True, help="Only entities of this type (repeatable).")
@click.option("--limit", default=20, show_default=True)
@_projection_options
@click.pass_context
def network_search(ctx, text, types, limit, inferred, collapse, evidence, as_json):
    """Entities whose label, code or IRI contains TEXT."""
    from xiancheng.graph.network_explore import search

    found = _network_call(ctx, inferred, collapse, evidence,
                          lambda net, _: search(net, text, list(types), limit))
    if as_json:
        return _echo_json(found)
    for entity in found:
        click.echo(_who(entity))


@network_group.command("neighbours")
@click.argument("entity")
@click.option("--hops", default=1, show_default=True, help="How far to go.")
@click.option("--type", "types", multiple=True, help="Keep only neighbours of this type (repeatable).")
@click.option("--predicate", "predicates", multiple=True, help="Follow only this predicate (repeatable).")
@click.option("--direction", type=click.Choice(["both", "out", "in"]), default="both", show_default=True)
@_projection_options
@click.pass_context
def network_neighbours(ctx, entity, hops, types, predicates, direction, inferred, collapse, evidence,
                       as_json):
    """Neighbours of ENTITY (an IRI, /id/… path or division code) within --hops."""
    from xiancheng.graph.network_explore import neighbours

    data = _network_call(ctx, inferred, collapse, evidence, lambda net, lim: neighbours(
        net, entity, hops, list(types), list(predicates), direction, lim))
    if as_json:
        return _echo_json(data)
    click.echo(_who(data["focus"]))
    for node in data["nodes"]:
        click.echo(f"  {node['distance']}  {_who(node)}")
    click.echo(f"({len(data['nodes'])} neighbours, {len(data['edges'])} edges"
               + (", truncated)" if data["truncated"] else ")"))


@network_group.command("paths")
@click.argument("source")
@click.argument("target")
@click.option("-k", default=3, show_default=True, help="How many paths (shortest first).")
@click.option("--max-hops", type=int, help="Longest path (setting network_max_hops).")
@click.option("--predicate", "predicates", multiple=True, help="Follow only this predicate (repeatable).")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="both", show_default=True)
@_projection_options
@click.pass_context
def network_paths(ctx, source, target, k, max_hops, predicates, lang, inferred, collapse, evidence,
                  as_json):
    """The k shortest paths between SOURCE and TARGET, each step explained."""
    from xiancheng.graph.network_explore import paths

    data = _network_call(ctx, inferred, collapse, evidence, lambda net, lim: paths(
        net, source, target, k, max_hops, list(predicates), lim))
    if as_json:
        return _echo_json(data)
    if not data["paths"]:
        click.echo(f"no path of at most {data['max_hops']} hops")
    for i, path in enumerate(data["paths"], 1):
        for language in (("zh", "en") if lang == "both" else (lang,)):
            click.echo(f"{i}. {path['text_' + language]}")
        for step in path["steps"]:
            click.echo(f"     {step['text_' + ('zh' if lang == 'zh' else 'en')]}")
    if not data["complete"]:
        click.echo(data.get("reason", "incomplete"))


@network_group.command("centrality")
@click.option("--measure", type=click.Choice(["degree", "betweenness", "pagerank"]), default="degree",
              show_default=True)
@click.option("--type", "type_", help="Rank only entities of this type, e.g. xc:County.")
@click.option("--neighbour-type", help="Degree: count only neighbours of this type.")
@click.option("--limit", default=20, show_default=True)
@_projection_options
@click.pass_context
def network_centrality(ctx, measure, type_, neighbour_type, limit, inferred, collapse, evidence, as_json):
    """Entities ranked by degree, betweenness or PageRank."""
    from xiancheng.graph.network_rank import centrality

    data = _network_call(ctx, inferred, collapse, evidence, lambda net, lim: centrality(
        net, measure, type_, neighbour_type, limit, lim))
    if as_json:
        return _echo_json(data)
    for row in data["ranking"]:
        score = row["score"] if isinstance(row["score"], int) else f"{row['score']:.4f}"
        click.echo(f"{row['rank']:>4}  {score:>8}  {_who(row)}")


@network_group.command("communities")
@click.option("--method", type=click.Choice(["louvain", "components"]), default="louvain",
              show_default=True)
@click.option("--min-size", default=1, show_default=True)
@click.option("--limit", default=20, show_default=True, help="How many groups.")
@click.option("--members", default=10, show_default=True, help="Members listed per group.")
@click.option("--seed", default=0, show_default=True, help="Seed of the Louvain method.")
@_projection_options
@click.pass_context
def network_communities(ctx, method, min_size, limit, members, seed, inferred, collapse, evidence,
                        as_json):
    """Communities (Louvain) or connected components, with their members."""
    from xiancheng.graph.network_rank import communities

    data = _network_call(ctx, inferred, collapse, evidence, lambda net, lim: communities(
        net, method, min_size, limit, members, 1.0, seed, lim))
    if as_json:
        return _echo_json(data)
    click.echo(f"{data['count']} groups" + (f", modularity {data['modularity']:.3f}"
                                             if "modularity" in data else ""))
    for group in data["groups"]:
        names = "、".join(m["label_zh"] for m in group["members"])
        click.echo(f"{group['id']:>3}  {group['size']:>5}  {names}" + ("…" if group["truncated"] else ""))


@network_group.command("similar")
@click.argument("entity")
@click.option("--type", "type_", help="Compare with entities of this type (default: ENTITY's type).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["programme", "classification", "industry"]),
              help="What to compare (repeatable; default: all three).")
@click.option("--limit", default=10, show_default=True)
@click.option("--inferred/--no-inferred", default=False, show_default=True,
              help="Add the inferred edges (programme participation).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.pass_context
def network_similar(ctx, entity, type_, kinds, limit, inferred, as_json):
    """Entities like ENTITY by the programmes, classifications and industries they share."""
    from xiancheng.graph.network_rank import similar

    data = _network_call(ctx, inferred, True, False, lambda net, lim: similar(
        net, entity, type_, limit, list(kinds) or None, lim))
    if as_json:
        return _echo_json(data)
    click.echo(_who(data["focus"]))
    for row in data["similar"]:
        shared = "、".join(f["label_zh"] for f in row["shared"])
        click.echo(f"  {row['score']:.3f}  {row['label_zh']} · {row['label_en']}  shares: {shared}")


@main.command("export")
@click.argument("fmt", metavar="FORMAT")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout).")
@click.option("--focus", help="Only the subgraph around this entity (IRI, /id/… path or code).")
@click.option("--radius", default=1, show_default=True, help="Hops around --focus.")
@click.option("--type", "types", multiple=True, help="With --focus: keep only this type (repeatable).")
@click.option("--predicate", "predicates", multiple=True, help="With --focus: only this predicate (repeatable).")
@click.option("--inferred/--no-inferred", default=False, show_default=True, help="Add the inferred edges.")
@click.option("--collapse/--no-collapse", default=True, show_default=True,
              help="Turn designations, observations, memberships and evidence into edges.")
@click.option("--evidence/--no-evidence", default=False, show_default=True, help="Add provenance edges.")
@click.pass_context
def export_network(ctx, fmt, output, focus, radius, types, predicates, inferred, collapse, evidence):
    """Write the network (or a --focus subgraph) as FORMAT: graphml, gexf, cytoscape, node-link
    or dot."""
    from xiancheng.graph.exports import export, export_format
    from xiancheng.graph.network_explore import subgraph

    try:
        chosen = export_format(fmt)
    except KeyError as e:
        raise click.UsageError(e.args[0]) from None
    if (types or predicates) and not focus:
        raise click.UsageError("--type and --predicate apply around a --focus")

    def write(net, lim):
        graph = subgraph(net, focus, radius, list(types), list(predicates), lim) if focus else net.graph
        return export(graph, chosen)
    data = _network_call(ctx, inferred, collapse, evidence, write)
    if output:
        Path(output).write_bytes(data)
    else:
        click.echo(data, nl=False)


def _store_report(settings, release) -> list[str]:
    """What `info` says about the store the service would query."""
    if settings.remote_query_url:
        from xiancheng.graph.remote import (RemoteStore, RemoteStoreError, check_release,
                                            endpoint_from_settings)

        endpoint = endpoint_from_settings(settings)
        try:
            store = RemoteStore(endpoint)
            counts, problems = store.counts(), check_release(store, release)
        except RemoteStoreError as e:
            return [f"store: remote at {settings.remote_query_url}: {e}"]
        finally:
            endpoint.close()
        state = f"holds release {release.id}" if not problems else "does not hold the current release"
        lines = [f"store: remote at {settings.remote_query_url}, {state}, "
                 f"{sum(counts.values())} triples in {len(counts)} graphs"]
        return lines + [f"  {p}" for p in problems]
    if settings.store_path:
        from xiancheng.graph.ondisk import OnDiskStore

        build = OnDiskStore(settings.store_path).current()
        if build is None:
            return [f"store: on disk at {settings.store_path}, empty (run `xiancheng load`)"]
        state = ("holds the current release" if build.release_id == release.id else
                 "holds an older release (run `xiancheng load`)")
        return [f"store: on disk at {build.location}, {state} {build.release_id} (loaded "
                f"{build.meta['loaded']} in {build.meta['load_seconds']} s), "
                f"{build.meta['triples']} triples, {build.size_bytes()} bytes"]
    return [f"store: in memory (each query worker loads {release.file('nquads')})"]


def _load_on_disk(path, release) -> None:
    import time

    from xiancheng.graph.ondisk import OnDiskStore

    started = time.perf_counter()
    build = OnDiskStore(path).load(release)  # waits while another process loads it
    if not build.fresh:
        click.echo(f"{path} holds release {release.id}", err=True)
        return
    click.echo(f"loaded release {release.id} into {build.location} in "
               f"{time.perf_counter() - started:.1f} s ({build.meta['triples']} triples, "
               f"{build.size_bytes()} bytes)", err=True)


@main.command()
@click.option("--store-path", type=click.Path(file_okay=False),
              help="Load into this on-disk Oxigraph store (setting store_path).")
@click.option("--graph-store", "graph_store_url",
              help="Graph Store Protocol URL of a remote store (setting remote_graph_store_url).")
@click.option("--update-url", help="SPARQL update URL of a remote store (setting remote_update_url).")
@click.option("--query-url", help="Query URL of the remote store, to check what it holds after "
              "the load (setting remote_query_url).")
@click.option("--method", type=click.Choice(["gsp", "update"]),
              help="Graph Store Protocol or SPARQL Update (default: gsp when there is a Graph Store URL).")
@click.option("--batch", type=int, help="Triples per request (setting load_batch).")
@click.pass_context
def load(ctx, store_path, graph_store_url, update_url, query_url, method, batch):
    """Load the current release into the on-disk store, or push it to a remote SPARQL store."""
    import time

    settings = _settings(ctx)
    settings.update({k: v for k, v in (("remote_graph_store_url", graph_store_url),
                                       ("remote_update_url", update_url),
                                       ("remote_query_url", query_url),
                                       ("load_batch", batch)) if v})
    remote = bool(settings.remote_graph_store_url or settings.remote_update_url)
    if store_path or (settings.store_path and not remote):
        _load_on_disk(store_path or settings.store_path, _release(settings))
        return
    if not remote:
        raise click.UsageError("say where to load: --store-path DIR, or a remote store's "
                               "--graph-store URL or --update-url URL")
    if method == "gsp" and not settings.remote_graph_store_url:
        raise click.UsageError("--method gsp needs --graph-store URL (setting remote_graph_store_url)")
    if method == "update" and not settings.remote_update_url:
        raise click.UsageError("--method update needs --update-url URL (setting remote_update_url)")
    from tqdm import tqdm

    from xiancheng.graph.push import push_release
    from xiancheng.graph.remote import (Endpoint, RemoteStore, RemoteStoreError, check_release)

    release = _release(settings)
    endpoint = Endpoint(settings.remote_query_url or "", settings.remote_update_url,
                        settings.remote_graph_store_url, settings.remote_user,
                        settings.remote_password, connect_timeout=settings.remote_connect_timeout,
                        timeout=600.0)
    bar = tqdm(total=release.triples, unit="triple", unit_scale=True, desc="loading",
               disable=not sys.stderr.isatty())
    started = time.perf_counter()
    try:
        used = push_release(endpoint, release, method=method, batch=settings.load_batch,
                            progress=bar.update)
        bar.close()
        seconds = time.perf_counter() - started
        target = settings.remote_graph_store_url if used == "gsp" else settings.remote_update_url
        click.echo(f"pushed release {release.id} ({release.triples} triples in "
                   f"{len(release.graphs)} graphs) to {target} in {seconds:.1f} s "
                   f"({release.triples / max(seconds, 1e-9):,.0f} triples/s)")
        if settings.remote_query_url:
            problems = check_release(RemoteStore(endpoint), release)
            if problems:
                raise click.ClickException("the store does not hold what was sent: " + "; ".join(problems))
            click.echo(f"checked: {settings.remote_query_url} holds release {release.id}")
    except (RemoteStoreError, ValueError) as e:
        bar.close()
        raise click.ClickException(str(e)) from None
    finally:
        endpoint.close()


@main.group()
def token():
    """Access tokens for writing (kept as SHA-256 digests in the tokens file)."""


@token.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(["read", "write", "admin"]), default="write", show_default=True,
              help="read: its own query budget; write: SPARQL Update and Graph Store writes; "
                   "admin: also the ontology graph, and no query budget.")
@click.pass_context
def token_create(ctx, name, role):
    """Create a token named NAME and print it (it is shown only once)."""
    from xiancheng.service.auth import create_token, tokens_path

    path = tokens_path(_settings(ctx))
    try:
        secret = create_token(path, name, role)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(secret)
    click.echo(f"token '{name}' ({role}) added to {path}; it is not stored, so keep it now. "
               "Send it as 'Authorization: Bearer <token>'. Restart the server if this is its "
               "first write token.", err=True)


@token.command("list")
@click.pass_context
def token_list(ctx):
    """List the tokens (names, roles, dates; never the tokens themselves)."""
    from xiancheng.service.auth import read_tokens, tokens_path

    try:
        entries = read_tokens(tokens_path(_settings(ctx)))
    except (ValueError, OSError) as e:
        raise click.ClickException(str(e)) from None
    for entry in entries:
        click.echo(f"{entry['name']:<24} {entry['role']:<6} {entry['created']}")
    if not entries:
        click.echo("no tokens: writes are off", err=True)


@token.command("revoke")
@click.argument("name")
@click.pass_context
def token_revoke(ctx, name):
    """Remove the token named NAME (takes effect at once)."""
    from xiancheng.service.auth import revoke_token, tokens_path

    if not revoke_token(tokens_path(_settings(ctx)), name):
        raise click.ClickException(f"there is no token named {name!r}")
    click.echo(f"token '{name}' revoked")
