"""Documentation kept true by tests: settings, named queries and endpoints."""

from __future__ import annotations

from pathlib import Path

from xiancheng.graph.queries import load_queries
from xiancheng.settings import SETTINGS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_setting_is_documented_with_its_default():
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        row = next((line for line in text.splitlines() if line.startswith(f"| `{setting.name}` |")), None)
        assert row, f"docs/settings.md does not document {setting.name}"
        assert f"`{setting.default}`" in row, f"docs/settings.md gives the wrong default for {setting.name}"


def test_settings_come_from_file_then_environment(tmp_path):
    from xiancheng.settings import load_settings

    config = tmp_path / "x.toml"
    config.write_text('port = 9000\nquery_timeout = 2.5\n', encoding="utf-8")
    settings = load_settings(config, environ={"XIANCHENG_PORT": "9100"})
    assert settings.port == 9100 and settings.query_timeout == 2.5
    import pytest
    with pytest.raises(ValueError, match="unknown setting 'colour'"):
        load_settings(environ={}, colour="red")
    with pytest.raises(ValueError, match="setting port"):
        load_settings(environ={"XIANCHENG_PORT": "eighty"})


def test_every_named_query_is_listed_by_the_service(client):
    listed = {q["name"] for q in client.get("/queries.json").get_json()["queries"]}
    assert listed == set(load_queries())


def test_every_sparql_example_in_the_docs_runs(client):
    import json
    import re

    for doc in sorted(DOCS.glob("*.md")):
        blocks = re.findall(r"```sparql\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
        if not blocks:
            continue
        prefixes = blocks[0] if blocks[0].lstrip().upper().startswith("PREFIX") and "SELECT" not in blocks[0].upper() else ""
        for block in blocks:
            if block is prefixes:
                continue
            response = client.post("/sparql", data={"query": prefixes + block},
                                   headers={"Accept": "application/sparql-results+json"})
            assert response.status_code == 200, f"{doc.name}: {block[:60]}… → {response.data[:200]}"
            assert json.loads(response.data)["results"]["bindings"], f"{doc.name}: no rows for {block[:60]}…"
