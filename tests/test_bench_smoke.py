"""The HTTP benchmark (bench/http_load.py) runs end to end on a small scale: this service, an
Oxigraph server and the bare Flask + pyoxigraph reference, one short run of each workload kind. It measures nothing here (benchmarks are not
timed tests); it checks that the harness works, that every answer was a success, and that both
servers gave the same rows to each query."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_http_benchmark_runs(data_dir, release, tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "http_load.py"), "--seconds", "1", "--rounds", "1",
         "--concurrency", "2", "--servers", "xiancheng", "oxigraph", "flask-pyoxigraph", "--workloads", "lookups", "aggregations",
         "--no-latency", "--data-dir", str(data_dir), "--markdown", str(tmp_path / "table.md")],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    table = (tmp_path / "table.md").read_text(encoding="utf-8")
    for row in ("| lookups | 2 | xiancheng |", "| lookups | 2 | oxigraph |", "| aggregations | 2 | xiancheng |",
                "| lookups | 2 | flask-pyoxigraph |", "| aggregations | 2 | flask-pyoxigraph |"):
        assert row in table
    assert "| lookups: ≥ 0.5× Oxigraph server | 2 |" in table
    assert "rows differ" not in out.stderr


def test_the_request_cost_profile_runs(data_dir, release):
    """bench/request_cost.py: the three ways and the stages, for a named query (no figures
    checked: only that each way answered and each stage was reached)."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "request_cost.py"), "--requests", "30", "--wait", "0.0001",
         "--query", "county-profile", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"release {release.id}" in out.stdout
    for row in ("| with the query worker |", "| an engine that answers after blocking 0.1 ms |",
                "| screen |", "|   decoding the query string |", "| content negotiation (format) |",
                "| hook hardening.init_app._screen |", "| hook auth.init_app._identify |"):
        assert row in out.stdout, row
