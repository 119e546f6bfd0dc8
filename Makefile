# Two front doors: `make demo` and `make test`. Each creates .venv/ on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test unit lint typecheck bench serve clean

$(BIN)/actionbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

demo: $(BIN)/actionbot ## the offline demo: SQLite, the bundled sample plan, no Slack
	$(BIN)/actionbot demo

test: lint typecheck unit ## everything CI checks

unit: $(BIN)/actionbot
	$(BIN)/pytest -q -n auto --dist worksteal

lint: $(BIN)/actionbot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/actionbot
	$(BIN)/mypy

bench: $(BIN)/actionbot
	$(BIN)/python bench/run.py

serve: $(BIN)/actionbot
	$(BIN)/actionbot serve

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
