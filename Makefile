# Job Dating Tour 50+ — the two commands: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := wsgi.py

.PHONY: run test install browser lint translations messages clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Compile the translation catalogues (French is the source language; English is a catalogue).
translations: install
	$(VENV)/bin/pybabel compile -d app/translations

## Developers: extract the strings and update the catalogues after changing texts.
messages: install
	$(VENV)/bin/pybabel extract --ignore-dirs=".*" -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --no-location --sort-output --project "Job Dating Tour 50+" .
	$(VENV)/bin/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

## make run: install, migrate, demo data when the database is empty, then serve on
## http://127.0.0.1:5000 with the job runner and a local SMTP sink (instance/mail/).
run: install translations
	$(FLASK) db upgrade
	$(FLASK) demo load --with-people --if-empty
	./scripts/run-dev.sh

## The browser for end-to-end tests (Debian's Chromium; Playwright's own download is not used).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium (apt)…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "Chromium could not be installed: browser tests will skip (or fail in CI)"; \
	  else echo "Chromium not found and cannot be installed here: browser tests will skip (or fail in CI)"; fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## make test: install what the tests need, then lint and run the whole suite
## (SQLite and PostgreSQL; Chromium end-to-end tests).
test: install translations browser lint
	$(VENV)/bin/pytest

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
