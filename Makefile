# The clinic FAQ assistant. `make run` to chat, `make test` for the whole suite; `make help` lists all.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Nothing leaves the machine: Rasa telemetry off for every command this Makefile runs.
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(PY) -m rasa
INSTALLED := $(VENV)/.installed
SPACY_PIPELINE := $(VENV)/.spacy-pipeline
MODEL := models/clinic.tar.gz
# knowledge/practical_answers.yml too: the triage keeps its intents (the practical ones) in the model. A reworded
# answer changes no intent, so Rasa's training cache then reuses every trained part.
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) \
                   $(wildcard clinic_bot/nlu/*.py clinic_bot/nlu/triage/*.py clinic_bot/dialogue/*.py) \
                   $(wildcard knowledge/triage/*.yml) $(wildcard data/triage/*.jsonl) knowledge/practical_answers.yml

.PHONY: help setup train run run-scaled services shell validate clean

# The staff tools (review, purge, forget) read the scaled profile's PostgreSQL with PROFILE=scaled: the URL
# that `make run-scaled` wrote (paths.SCALED_TRACKER_DB_FILE; it holds the password, 0600).
ifeq ($(PROFILE),scaled)
export TRACKER_DB := $(shell cat var/scaled/tracker_db.url 2>/dev/null || echo "run-make-run-scaled-first")
endif

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

setup: $(INSTALLED) $(SPACY_PIPELINE)  ## create .venv (Python 3.10), install pinned packages, build the spaCy pipeline

$(INSTALLED): $(wildcard requirements/*.txt) scripts/find_python.sh
	@python=$$(scripts/find_python.sh) || exit 1; \
	 if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	   echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

$(SPACY_PIPELINE): $(INSTALLED) spacy_pipeline/build.py spacy_pipeline/entity_patterns.yml
	$(PY) spacy_pipeline/build.py
	@touch $@

$(MODEL): $(SPACY_PIPELINE) $(TRAINING_INPUTS)
	@mkdir -p models
	$(RASA) train --fixed-model-name clinic --out models --quiet
	@touch $@

train: $(MODEL)  ## train the model if the data changed since the last one

run: setup $(MODEL)  ## start the action server, the Rasa server (REST) and the demo site with the chat widget (http://localhost:8080); Ctrl-C stops all
	$(PY) -m clinic_bot.launcher.servers

run-scaled: setup services $(MODEL)  ## the scaled profile: Redis, PostgreSQL, 2 Rasa servers (RASA_SERVERS=N), action server, nginx in front (http://localhost:8080); Ctrl-C stops all
	$(PY) -m clinic_bot.launcher.scaled $(if $(RASA_SERVERS),--rasa-servers $(RASA_SERVERS))

services:  ## install Debian's Redis, PostgreSQL and nginx for the scaled profile, if missing (scripts/install_services.sh)
	scripts/install_services.sh

shell: setup $(MODEL)  ## chat in the terminal (starts the action server in the background)
	$(PY) -m clinic_bot.launcher.shell

validate: setup  ## check the data: the project's checks (file and line), then Rasa's validator (warnings fail)
	@status=0; $(PY) -m clinic_bot.tools.validate || status=1; \
	 $(RASA) data validate --fail-on-warnings --quiet || status=1; exit $$status

# --- Tests (docs/operations.md "Tests"): each target runs its part; `make test` runs them all ---
.PHONY: check test test-unit test-model test-stories test-e2e test-scaled lint types

check: lint types validate  ## the quick checks for every commit (under 2 minutes): lint, types, data checks, unit tests on every core
	$(PY) -m pytest tests/unit -q -n auto

test: lint types validate $(MODEL) browser services  ## everything: lint, types, data checks, unit, model, end-to-end over REST, the scaled profile, the browser
	$(PY) -m pytest

test-unit: setup  ## unit tests only: no model, no servers (a plain clone is enough)
	$(PY) -m pytest tests/unit -n auto

test-model: $(MODEL)  ## the trained model: NLU hold-out and development sets, triage, test stories
	$(PY) -m pytest tests/model

test-stories: $(MODEL)  ## only the conversation stories (tests/stories) through `rasa test`
	$(PY) -m pytest tests/model/test_stories.py

test-e2e: $(MODEL)  ## conversations through the real action server and Rasa server over REST
	$(PY) -m pytest tests/e2e

test-scaled: services $(MODEL)  ## the scaled profile through real Redis, PostgreSQL, two Rasa servers and nginx
	$(PY) -m pytest tests/scaled

lint: setup  ## style and likely bugs (ruff; settings in pyproject.toml)
	$(PY) -m ruff check .

types: setup  ## type hints checked (mypy on clinic_bot, actions, bench, spacy_pipeline; settings in pyproject.toml)
	$(PY) -m mypy

clean:  ## remove the trained model, caches and results (keeps .venv and conversations)
	rm -rf models .rasa results .pytest_cache

# --- Staff workflow (docs/staff.md): values come from the command line, e.g. INTENT=... ---
.PHONY: add-example review import-review record-baseline staff staff-user test-staff

add-example: setup  ## add a training example: make add-example INTENT=ask_insurance TEXT="does medicaid cover nerve blocks" (LANGUAGE=es for Spanish)
	@if [ -z "$$INTENT" ] || [ -z "$$TEXT" ]; then \
	   echo 'usage: make add-example INTENT=ask_insurance TEXT="does medicaid cover nerve blocks" [LANGUAGE=es]'; exit 2; fi
	@$(PY) -m clinic_bot.tools.add_example --language "$${LANGUAGE:-en}" "$$INTENT" "$$TEXT"

review: setup  ## conversations to look at -> var/review/*.csv (options: DAYS=7 THRESHOLD=0.7 OUT=file.csv)
	@$(PY) -m clinic_bot.tools.review $${DAYS:+--days "$$DAYS"} \
	   $${THRESHOLD:+--threshold "$$THRESHOLD"} $${OUT:+--out "$$OUT"}

import-review: setup  ## add the examples labelled in a review file: make import-review FILE=var/review/review-....csv
	@if [ -z "$$FILE" ]; then echo 'usage: make import-review FILE=var/review/review-<date>.csv'; exit 2; fi
	@$(PY) -m clinic_bot.tools.import_review "$$FILE"

staff: setup $(MODEL)  ## the staff console in the browser (review, label, edit answers, retrain): http://127.0.0.1:8090 (STAFF_PORT=..., STAFF_HOST=... to change)
	$(PY) -m clinic_bot.staff

staff-user: setup  ## create a staff login or set a new password: make staff-user NAME=maria (asks the password twice)
	@if [ -z "$$NAME" ]; then echo 'usage: make staff-user NAME=<name>'; exit 2; fi
	@$(PY) -m clinic_bot.staff.accounts "$$NAME"

test-staff: browser $(MODEL)  ## only the staff console's tests: Chromium against the real console and servers (screenshots: reports/staff-*.png)
	$(PY) -m pytest tests/staff

record-baseline: $(MODEL)  ## record the current NLU hold-out accuracy as the figure `make test` compares with
	RECORD_HOLDOUT_BASELINE=1 $(PY) -m pytest tests/model/test_nlu_holdout.py -k holdout_accuracy -q

# --- Triage (docs/triage.md): red-flag concepts, ConText, the urgent/personal/general classifier ---
.PHONY: triage-tune

triage-tune: setup  ## the triage's recall and false alarms on the tuning set at each threshold (to choose config.yml's)
	$(PY) -m clinic_bot.nlu.triage.tune

# --- Privacy and the HTTP API (docs/security.md; clinic_bot/store/privacy.py) ---
# `make run ENABLE_API=1` also opens Rasa's HTTP API, only with RASA_AUTH_TOKEN set (16+ characters).
.PHONY: purge forget

purge:  ## delete conversations older than DAYS days (default 30): make purge DAYS=30
	$(PY) -m clinic_bot.store.privacy purge --days "$${DAYS:-30}"

forget:  ## delete one patient's conversation ("forget me"): make forget SENDER=<sender id>
	@if [ -z "$$SENDER" ]; then echo 'usage: make forget SENDER=<sender id>'; exit 2; fi
	$(PY) -m clinic_bot.store.privacy forget -- "$$SENDER"

# --- Chat widget (docs/operations.md "The chat widget"): widget/, clinic_bot/launcher/demo_site.py, tests/browser ---
.PHONY: browser test-browser

browser: setup  ## install Debian's Chromium for the browser tests, if missing (Playwright comes with requirements/dev.txt)
	scripts/install_browser.sh

test-browser: browser $(MODEL)  ## only the chat widget's tests in Chromium (screenshot: reports/widget.png)
	$(PY) -m pytest tests/browser

# --- Benchmark (docs/operations.md "Benchmark"): bench/, reports/benchmark.md ---
.PHONY: bench

bench: setup  ## measure understanding (with a scikit-learn peer), speed and footprint -> reports/benchmark.md (~15 min)
	$(PY) -m bench.run $(BENCH_ARGS)
