# `make` sets everything up and builds every edition of the sample into dist/;
# `make test` runs the whole test suite. See README.md.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: all setup build test bench check clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	$(BIN)/book build .

check: setup
	$(BIN)/book check .

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	@bash scripts/setup.sh --bench
	$(BIN)/python -m benchmarks

clean:
	rm -rf dist
