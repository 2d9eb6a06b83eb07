# Each target builds its own virtual environment (.venv) from nothing but Python 3.
# torch is pinned to the CPU build that installs quickly here; an unpinned torch
# would pull a multi-GB CUDA build.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q
TORCH := torch==2.13.0

.PHONY: test demo docs lint format bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.test-deps: pyproject.toml | $(PY)
	$(PIP) $(TORCH)
	$(PIP) -e ".[dev,bench,dask,demo]"
	touch $@

$(VENV)/.demo-deps: pyproject.toml | $(PY)
	$(PIP) $(TORCH)
	$(PIP) -e ".[demo]"
	touch $@

$(VENV)/.docs-deps: pyproject.toml | $(PY)
	$(PIP) $(TORCH)
	$(PIP) -e ".[docs,demo]"
	touch $@

test: $(VENV)/.test-deps  ## ruff, then the test suite in parallel
	$(PY) -m ruff check .
	$(PY) -m pytest -n auto -q

demo: $(VENV)/.demo-deps  ## run the demo
	$(PY) -m sklreg.demo

docs: $(VENV)/.docs-deps  ## build the HTML docs offline, warnings are errors
	$(PY) -m sphinx -W --keep-going -q -b html doc doc/_build/html

lint: $(VENV)/.test-deps
	$(PY) -m ruff check .

format: $(VENV)/.test-deps
	$(PY) -m ruff format .

bench: $(VENV)/.test-deps  ## run every benchmark; tables go to benchmarks/results/
	for f in benchmarks/bench_*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) doc/_build doc/auto_examples doc/generated sklreg_demo_output
