"""Benchmarks (see docs/performance.md and docs/performance-scale.md); a package so that
``python -m bench.measure`` works and a bench/http.py never shadows the standard library."""
