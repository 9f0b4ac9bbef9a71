"""The fast engine on the command line: `xiancheng build --engine` and `xiancheng validate --engine`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from xiancheng import cli as cli_module
from xiancheng.cli import main
from xiancheng.graph import engines
from xiancheng.graph.build import ONTOLOGY_DIR

EXAMPLES = ONTOLOGY_DIR / "examples"


def run(tmp_path, *args):
    return CliRunner().invoke(main, ["--data-dir", str(tmp_path), *args], catch_exceptions=False)


def violations(output: str) -> set:
    return {(v["focus"], v["path"], v["shape"], v["component"]) for v in json.loads(output)["violations"]}


@pytest.mark.parametrize("name", sorted(p.name for p in (EXAMPLES / "fail").glob("*.ttl")))
def test_validate_files_with_either_engine_gives_the_same_report(tmp_path, name):
    files = [str(EXAMPLES / "context.ttl"), str(EXAMPLES / "fail" / name)]
    standard = run(tmp_path, "validate", "--engine", "standard", "--format", "json", *files)
    fast = run(tmp_path, "validate", "--engine", "fast", "--format", "json", *files)
    assert standard.exit_code == fast.exit_code == 1
    assert violations(fast.output) == violations(standard.output)


def test_validate_exit_codes_with_the_fast_engine(tmp_path):
    assert run(tmp_path, "validate", "--engine", "fast").exit_code == 0
    assert run(tmp_path, "validate", "--engine", "fast", str(EXAMPLES / "context.ttl"),
               str(EXAMPLES / "pass" / "division.ttl")).exit_code == 0
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> ", encoding="utf-8")
    assert run(tmp_path, "validate", "--engine", "fast", str(broken)).exit_code == 2
    xml = tmp_path / "data.rdf"
    xml.write_text("<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", encoding="utf-8")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "validate", "--engine", "fast", str(xml)])
    assert result.exit_code == 2 and "use --engine standard" in result.output


def test_named_graphs_of_a_dataset_file_are_validated(tmp_path):
    """A TriG file's named graphs and default graph are all validated, as with pyshacl."""
    context = (EXAMPLES / "context.ttl").read_text(encoding="utf-8")
    failing = (EXAMPLES / "fail" / "observation.ttl").read_text(encoding="utf-8")
    prefixes = "".join(line + "\n" for line in failing.splitlines() if line.startswith("PREFIX"))
    body = "".join(line + "\n" for line in failing.splitlines() if not line.startswith("PREFIX"))
    trig = tmp_path / "data.trig"
    trig.write_text(prefixes + "<urn:g:1> {\n" + body + "\n}\n", encoding="utf-8")
    (tmp_path / "context.ttl").write_text(context, encoding="utf-8")
    args = ["validate", "--format", "json", str(tmp_path / "context.ttl"), str(trig)]
    fast = run(tmp_path, *args[:1], "--engine", "fast", *args[1:])
    standard = run(tmp_path, *args[:1], "--engine", "standard", *args[1:])
    assert fast.exit_code == standard.exit_code == 1
    assert violations(fast.output) == violations(standard.output) != set()


def test_build_with_the_fast_engine(tmp_path):
    result = run(tmp_path, "build", "--engine", "fast")
    assert result.exit_code == 0, result.output
    assert "inferred" in result.output


def test_auto_chooses_by_size():
    assert engines.choose("auto", triples=11_000) == "standard"
    assert engines.choose("auto", triples=1_000_000) == "fast"
    assert engines.choose("auto", size=250_000_000) == "fast"
    assert engines.choose("standard", triples=10**9) == "standard"
    with pytest.raises(ValueError, match="unknown engine"):
        engines.choose("quick")


def test_the_command_line_offers_every_engine():
    assert cli_module.ENGINES == engines.ENGINES


def test_the_engines_are_documented():
    root = ONTOLOGY_DIR.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "--engine fast" in readme and "docs/performance-scale.md" in readme
    doc = (root / "docs" / "performance-scale.md").read_text(encoding="utf-8")
    assert f"{engines.FAST_ABOVE:,}" in doc and "python bench/suite.py" in doc
