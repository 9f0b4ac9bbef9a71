"""The HTTP benchmark (bench/http_load.py) runs end to end on a small scale: this service and an
Oxigraph server, one short run of each workload kind. It measures nothing here (benchmarks are not
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
         "--concurrency", "2", "--servers", "xiancheng", "oxigraph", "--workloads", "lookups", "aggregations",
         "--no-latency", "--data-dir", str(data_dir), "--markdown", str(tmp_path / "table.md")],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    table = (tmp_path / "table.md").read_text(encoding="utf-8")
    for row in ("| lookups | 2 | xiancheng |", "| lookups | 2 | oxigraph |", "| aggregations | 2 | xiancheng |"):
        assert row in table
    assert "| lookups: ≥ 0.5× Oxigraph server | 2 |" in table
    assert "rows differ" not in out.stderr
