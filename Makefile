# Xiancheng KG — `make run` starts the service, `make test` runs the tests.
# Both create the virtual environment (.venv) and install the project into it first.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test build format check-format bench bench-http bench-network loadtest system-deps clean vendor

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: build the current release (if needed) and serve it at http://127.0.0.1:8000/
run: $(STAMP)
	$(BIN)/xiancheng serve

## test: install everything the tests need, then run them
test: $(STAMP) system-deps
	$(BIN)/python -m pytest

## build: build, validate and reason, and write a release under var/releases
build: $(STAMP)
	$(BIN)/xiancheng build

## format: rewrite the ontology, shapes and examples as canonical Turtle
format: $(STAMP)
	$(BIN)/python -m xiancheng.graph.canonical ontology/*.ttl ontology/examples/*.ttl ontology/examples/*/*.ttl

check-format: $(STAMP)
	$(BIN)/python -m xiancheng.graph.canonical --check ontology/*.ttl ontology/examples/*.ttl ontology/examples/*/*.ttl

## bench: time the build → validate → reason pipeline
bench: $(STAMP)
	$(BIN)/python bench/pipeline.py

## loadtest: 32 clients mixing queries, page views and writes for 3 minutes (bench/loadtest.py)
loadtest: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/loadtest.py --minutes 3 --users 32
	$(BIN)/python bench/writecost.py

## bench-network: time the network projection and the exploration API
bench-network: $(STAMP)
	$(BIN)/python bench/network.py

## bench-http: this service against Oxigraph server and rdflib-endpoint under wrk (docs/performance.md)
bench-http: $(STAMP) system-deps
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/http_load.py

## system-deps: Debian packages the tests need (chromium and CJK fonts for the browser tests,
## wrk for the HTTP benchmark's smoke test)
system-deps:
	@command -v chromium >/dev/null && command -v wrk >/dev/null && fc-list 2>/dev/null | grep -qi "noto sans cjk" || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk wrk; }

clean:
	rm -rf $(VENV) var .pytest_cache

## vendor: re-create the vendored browser libraries with npm from their pinned lock files (YASGUI
## for the query page, cytoscape.js for the explorer); the copies are committed, users never need npm
VENDOR := service/static/vendor
.PHONY: vendor
vendor:
	$(PYTHON) $(VENDOR)/vendor.py
	cd $(VENDOR)/cytoscape && npm ci --ignore-scripts --no-audit --no-fund \
	  && cp node_modules/cytoscape/dist/cytoscape.min.js node_modules/cytoscape/LICENSE . \
	  && rm -rf node_modules
