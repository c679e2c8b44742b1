# hostportal: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: install, migrate, seed the demo once, start web + Celery worker + beat (embedded defaults)
run: $(VENV)/.installed
	./scripts/run.sh

## test: install, make sure PostgreSQL and Redis are up, run ruff, mypy and the whole suite on PostgreSQL
test: $(VENV)/.installed-dev
	./scripts/test.sh

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

## bench: every daily job against its SQL floor at 10k, 100k, 1M conventions (BENCH_SIZES, BENCH_RUNS;
## CHECK=1 fails on a missed target); own database (BENCH_DATABASE_URL); report in docs/benchmarks.md
bench: $(VENV)/.installed-dev
	./scripts/ensure-services.sh
	./scripts/ensure-wrk.sh
	BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/hostportal_bench} \
		$(BIN)/python bench/run.py $(if $(filter-out 0,$(CHECK)),--check)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
