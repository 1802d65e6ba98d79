# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CONFIG ?= $(if $(wildcard config.toml),config.toml,)

.PHONY: venv run test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# `spacebrief run` explains its own failures (exit 1 or 2) in one line; make's "Error 2" line after it
# would only repeat that, so the recipe ends quietly then. Scripts and service managers should call
# $(VENV)/bin/spacebrief run, whose exit codes are the contract (docs/DESIGN.md).
run: $(STAMP)
	@$(VENV)/bin/spacebrief run $(if $(CONFIG),--config $(CONFIG),) || { status=$$?; [ $$status -le 2 ] || exit $$status; }

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy summarizer db feeds cogs bot

pytest: $(STAMP)
	$(VENV)/bin/pytest

test: lint typecheck pytest

bench: $(STAMP)
	$(PY) bench/summary_quality.py
	$(PY) bench/quote_attribution.py
	$(PY) bench/debate_quality.py
	$(PY) bench/debate_speed.py
	$(PY) bench/feed_poll.py
	$(PY) bench/loop_lag.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
