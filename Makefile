# One entry point for users and CI. `make setup` is idempotent: a second run
# only checks imports (seconds). Use your own interpreter (e.g. one with a CUDA
# torch) with `make setup PY=/path/to/python`; torch is then left as it is.
VENV ?= .venv
PY ?= $(VENV)/bin/python
STAMP := $(dir $(PY)).alssl-setup-done
PYTEST_ARGS ?=

.PHONY: setup test demo clean-env

setup: $(STAMP)

$(STAMP): setup.py Makefile tools/setup_env.sh
	PY="$(PY)" VENV="$(VENV)" bash tools/setup_env.sh
	touch $@

test: setup
	$(PY) -m pytest tests $(PYTEST_ARGS)

demo: setup
	PY="$(PY)" bash tools/demo.sh

clean-env:
	rm -rf $(VENV)
