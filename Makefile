# The two commands of the README:
#   make book   installs the locked environment into .venv and builds the book into _build/html
#   make test   installs the locked environment into .venv and runs the whole test suite
# and next to them:
#   make book EDITION=student   the student edition (every exercise, no solution) into _build/html
#   make pdf                    the book as one PDF: _build/pdf/activations-softmax.pdf
#   make lock                   makes requirements.lock again from requirements.txt and requirements-test.txt
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
EDITION ?= full

.PHONY: book pdf test install lock check-lock clean

# The environment comes from the lock (exact versions, sha256 hashes); the requirement files are the
# human-edited source of the lock, so a lock older than them stops the install (run `make lock`).
$(VENV)/.installed: $(LOCK) requirements.txt requirements-test.txt pyproject.toml
	@$(PYTHON) tools/lock.py check
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	# The package itself, editable; its dependencies (extras included) are in the lock.
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	# Numba compiles the fast loops now, into its cache beside the package (see activations/fast_cpu/__main__.py).
	$(PY) -m activations.fast_cpu
	# JupyterLab in this environment opens the MyST chapters (*.md) as notebooks through jupytext.
	$(VENV)/bin/jupytext-config --settings-file $(VENV)/etc/jupyter/labconfig/default_setting_overrides.json \
		set-default-viewer markdown myst
	touch $@

install: $(VENV)/.installed

book: install
	$(PY) tools/build_book.py --edition $(EDITION)

pdf: install
	$(PY) tools/build_pdf.py --edition $(EDITION)

test: install
	$(PY) -m pytest

lock:
	$(PYTHON) tools/lock.py compile

check-lock:
	$(PYTHON) tools/lock.py check

clean:
	rm -rf _build artifacts
