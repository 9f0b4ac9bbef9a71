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
@click.pass_context
def dump(ctx, fmt, output):
    """Write the current release in an RDF format."""
    from xiancheng.graph.formats import rdf_format
    from xiancheng.graph.store import OxigraphStore

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


@main.command()
@click.option("--host", help="Address to listen on (setting host).")
@click.option("--port", type=int, help="Port to listen on (setting port).")
@click.option("--server", type=click.Choice(["waitress", "gunicorn", "flask"]),
              help="WSGI server (setting server); flask is the development server.")
@click.pass_context
def serve(ctx, host, port, server):
    """Serve the SPARQL endpoint, query page and named queries on the current release."""
    settings = _settings(ctx)
    settings.update({k: v for k, v in (("host", host), ("port", port), ("server", server)) if v})
    release = _release(settings)
    from xiancheng.service.server import run_server

    click.echo(f"Serving release {release.id} at http://{settings.host}:{settings.port}/ "
               f"({settings.server}); Ctrl-C to stop.", err=True)
    run_server(settings, release)


@main.command()
@click.pass_context
def info(ctx):
    """Show the settings and the current release."""
    from xiancheng.graph.release import current_release

    settings = _settings(ctx)
    for setting in SETTINGS:
        click.echo(f"{setting.name:>10} = {settings[setting.name]}")
    release = current_release(settings.releases_dir)
    if release is None:
        click.echo("release: none yet (run `xiancheng build`)")
        return
    click.echo(f"release: {release.id} (created {release.meta['created']}), {release.triples} triples")
    for name, graph in release.graphs.items():
        click.echo(f"  {graph['triples']:>7}  {name}")
