# The two commands of the README:
#   make book   installs everything into .venv and builds the book into _build/html
#   make test   installs everything into .venv and runs the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: book test install clean

$(VENV)/.installed: requirements.txt requirements-test.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-test.txt
	# JupyterLab in this environment opens the MyST chapters (*.md) as notebooks through jupytext.
	$(VENV)/bin/jupytext-config --settings-file $(VENV)/etc/jupyter/labconfig/default_setting_overrides.json \
		set-default-viewer markdown myst
	touch $@

install: $(VENV)/.installed

book: install
	$(PY) tools/build_book.py

test: install
	$(PY) -m pytest

clean:
	rm -rf _build artifacts
