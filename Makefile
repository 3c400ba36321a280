# Two commands: `make run` opens the dashboard, `make test` runs every test.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test lint setup setup-dev bench clean

$(VENV)/.installed: requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@# the project itself, editable: `mltalent` console script (= python -m forecasting)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

run: setup
	@# bytecode for the app's own modules: shells with PYTHONDONTWRITEBYTECODE=1 would otherwise
	@# recompile them on every server start (~0.1 s of the first page's script run)
	$(PY) -m compileall -q forecasting ui
	$(PY) -m forecasting fit --quiet
	$(PY) -m streamlit run dashboard.py --server.port $(PORT)

test: setup-dev
	$(VENV)/bin/ruff check
	$(PY) -m compileall -q forecasting ui
	$(PY) -m forecasting fit --quiet
	$(PY) -m pytest -q -n 2 --timeout 900

bench: setup-dev
	$(PY) bench/fit_all.py
	$(PY) bench/ui_latency.py
	$(PY) bench/export_speed.py
	$(PY) bench/accuracy.py
	$(PY) bench/batch_scaling.py
	$(PY) bench/upload_memory.py
	$(PY) bench/load.py

lint: setup-dev
	$(VENV)/bin/ruff check

clean:
	rm -rf $(VENV) data/processed .pytest_cache test-artifacts
