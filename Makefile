# Two entry points, both self-installing: `make site` builds site/, `make test` runs every test.
# `make site` installs only what building needs; `make test` adds the test tools.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITE_STAMP := $(VENV)/.site-stamp
TEST_STAMP := $(VENV)/.test-stamp
CHROMIUM ?= /usr/bin/chromium
# The Nu HTML Checker (vnu.jar, from npm's vnu-jar; it runs on Java) for tests/functional/test_built_site.py.
VNU_VERSION := 26.9.27
VNU := $(VENV)/vnu/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: site test fast explore lint browser-deps validator-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(SITE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[site]'
	touch $(SITE_STAMP)

$(TEST_STAMP): pyproject.toml $(SITE_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

site: $(SITE_STAMP)
	$(BIN)/statusbook build

# Browser tests drive Debian's Chromium; install it when it is missing (root, or sudo).
browser-deps:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# The HTML checker runs on Java; install Debian's headless JRE and npm when either is missing (root, or sudo).
validator-deps:
	@if ! command -v java >/dev/null || ! command -v npm >/dev/null; then \
	  echo "Installing Debian's default-jre-headless and npm for the HTML checker"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless npm >/dev/null; \
	fi
	@if [ ! -f "$(VNU)" ]; then npm install --silent --no-audit --no-fund --prefix $(VENV)/vnu vnu-jar@$(VNU_VERSION); fi

lint: $(TEST_STAMP)
	$(BIN)/ruff check generator tests benchmarks

test: $(TEST_STAMP) browser-deps validator-deps lint
	$(BIN)/python -m pytest

# The fast lane: pure unit tests, under 30 s.
fast: $(TEST_STAMP)
	$(BIN)/python -m pytest tests/unit

# Property tests searching longer and at random (CI runs them derandomized).
explore: $(TEST_STAMP)
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest tests/unit tests/functional -p no:cacheprovider

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) site
