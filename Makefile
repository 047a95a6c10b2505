# Chân Dung: `make demo` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest install lock benchmark benchmark-clv benchmark-pipeline docs screenshots clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Generate the demo business, analyse it and serve the web app at http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/chandung --home $(or $(CHANDUNG_HOME),.demo-workspace) demo

## Lint, format check, type check and the whole test suite
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

## Re-resolve the pinned dependency versions after changing pyproject.toml
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra postgres --python-version 3.11 \
		--universal -o requirements.lock

## Render the generated reference pages in docs/
docs: $(STAMP)
	$(BIN)/python -c "from chandung.schema._docs import render_data_model; \
		open('docs/data-model.md', 'w', encoding='utf-8').write(render_data_model())"
	$(BIN)/python -c "from chandung.config import render_configuration_doc; \
		open('docs/configuration.md', 'w', encoding='utf-8').write(render_configuration_doc())"
	$(BIN)/python -c "from chandung.web._docs import render_route_reference; \
		open('docs/web.md', 'w', encoding='utf-8').write(render_route_reference())"

## Screenshots of the web app for the user guide (docs/images/)
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py

## Time and memory of the demo (writes docs/benchmarks.md)
benchmark: $(STAMP)
	$(BIN)/python benchmarks/skeleton.py

## CLV fits and scoring against lifetimes and PyMC-Marketing (writes docs/benchmarks.md)
benchmark-clv: $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[bench]'
	$(BIN)/python benchmarks/clv.py

## Every stage from files to persona cards at 10,000, 100,000 and 1,000,000 customers
## (writes docs/benchmarks.md; about 40 minutes on 2 cores, mostly at 1,000,000; 5 GB of disk)
benchmark-pipeline: $(STAMP)
	$(BIN)/python benchmarks/pipeline.py

clean:
	rm -rf $(VENV) .demo-workspace .pytest_cache .mypy_cache .ruff_cache
