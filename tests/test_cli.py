"""The xiancheng command line, run in-process with click's runner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from xiancheng.cli import main
from xiancheng.graph.build import ONTOLOGY_DIR

EXAMPLES = ONTOLOGY_DIR / "examples"


@pytest.fixture
def cli(data_dir, release):
    def invoke(*args, input=None):
        return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], input=input,
                                  catch_exceptions=False)
    return invoke


def test_build_reports_the_release(cli, release):
    result = cli("build")
    assert result.exit_code == 0
    assert f"release {release.id}: {release.triples} triples" in result.output


def test_build_of_broken_sources_names_the_problem(tmp_path, sources):
    (sources / "figures.csv").write_text("id,indicator\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "build", "--sources", str(sources)])
    assert result.exit_code == 1
    assert "figures.csv, line 1: expected columns" in result.output
    assert "Traceback" not in result.output


def test_validate_exit_codes(cli, tmp_path):
    assert cli("validate").exit_code == 0
    assert cli("validate", str(EXAMPLES / "context.ttl"), str(EXAMPLES / "pass" / "division.ttl")).exit_code == 0
    for path in sorted((EXAMPLES / "fail").glob("*.ttl")):
        result = cli("validate", str(EXAMPLES / "context.ttl"), str(path))
        assert result.exit_code == 1, path.name
        assert "violation(s)" in result.output
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle <", encoding="utf-8")
    assert cli("validate", str(broken)).exit_code == 2
    assert cli("validate", str(tmp_path / "missing.ttl")).exit_code == 2


def test_validate_json_report(cli):
    result = cli("validate", "--format", "json", str(EXAMPLES / "context.ttl"),
                 str(EXAMPLES / "fail" / "observation.ttl"))
    report = json.loads(result.output)
    assert report["conforms"] is False
    assert {v["shape"].rsplit("/", 1)[1] for v in report["violations"]} >= {"Observation-unit", "Observation-period"}


def test_named_query_to_csv(cli):
    result = cli("query", "population-2020", "--format", "csv")
    assert result.exit_code == 0
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert len(table) == 11 and table[0]["name"] == "太原市"


def test_named_query_with_parameter_and_table(cli):
    result = cli("query", "county-profile", "-p", "county=141182")
    assert result.exit_code == 0
    assert "杏花村汾酒专业镇" in result.output


def test_parameter_errors_are_clear(cli):
    missing = cli("query", "county-profile")
    assert missing.exit_code == 1 and "needs parameter 'county'" in missing.output
    bad = cli("query", "county-profile", "-p", "county=Fenyang")
    assert bad.exit_code == 1 and "six-digit GB/T 2260 code" in bad.output
    unknown = cli("query", "no-such-query")
    assert unknown.exit_code == 1 and "no named query 'no-such-query'" in unknown.output


def test_inline_and_file_queries(cli, tmp_path):
    ask = cli("query", "-q", "ASK { ?s ?p '汾阳市'@zh }")
    assert ask.output.strip() == "true"
    path = tmp_path / "q.rq"
    path.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o = '汾阳市'@zh) }", encoding="utf-8")
    result = cli("query", "-f", str(path), "--format", "ntriples")
    assert len(Graph().parse(data=result.output, format="nt")) == 1


def test_inference_flag(cli):
    query = ("ASK { <https://kg.xiancheng.example/id/division/141182> "
             "<https://kg.xiancheng.example/def/partOf> <https://kg.xiancheng.example/id/division/140000> }")
    assert cli("query", "-q", query).output.strip() == "true"
    assert cli("query", "--no-inference", "-q", query).output.strip() == "false"


def test_rdflib_store_gives_the_same_csv(cli):
    a = cli("query", "sponge-city-counties", "--format", "csv").output
    b = cli("query", "sponge-city-counties", "--format", "csv", "--store", "rdflib").output
    assert sorted(a.splitlines()) == sorted(b.splitlines())


def test_malformed_inline_query(cli):
    result = cli("query", "-q", "SELECT ?x WHERE {")
    assert result.exit_code == 1 and result.output.startswith("Error: query failed:")


def test_queries_listing(cli):
    listing = json.loads(cli("queries", "--json").output)
    assert {q["name"] for q in listing} >= {"sponge-city-counties", "county-profile"}


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_dump_datasets(cli, release, tmp_path, fmt):
    out = tmp_path / f"dump.{fmt}"
    assert cli("dump", "--format", fmt, "-o", str(out)).exit_code == 0
    ds = Dataset()
    ds.parse(out, format={"trig": "trig", "nquads": "nquads"}[fmt])
    assert sum(len(g) for g in ds.graphs()) == release.triples


def test_dump_rejects_an_unknown_format(cli):
    result = cli("dump", "--format", "docx")
    assert result.exit_code == 2 and "unknown RDF format 'docx'" in result.output


def test_info(cli, release):
    result = cli("info")
    assert f"release: {release.id}" in result.output
    assert "base_iri" in result.output
