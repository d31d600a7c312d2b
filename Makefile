# Two commands set everything up: `make app` (the app on the Rutland sample) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install app run test lint

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed

app: install
	$(VENV)/bin/streamlit run app.py

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check solver geo tests views app.py benchmarks scripts
	$(VENV)/bin/ruff format --check solver geo tests views app.py benchmarks scripts
	$(VENV)/bin/mypy
