# The clinic FAQ assistant. `make run` to chat, `make test` for the whole suite; `make help` lists all.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Nothing leaves the machine: Rasa telemetry off for every command this Makefile runs.
export RASA_TELEMETRY_ENABLED := false
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TRACKER_DB ?= $(CURDIR)/var/conversations.db
export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(PY) -m rasa
INSTALLED := $(VENV)/.installed
SPACY_PIPELINE := $(VENV)/.spacy-pipeline
MODEL := models/clinic.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) \
                   clinic_bot/nlu_components.py clinic_bot/intent_classifier.py clinic_bot/linear_text.py $(wildcard clinic_bot/triage/*.py) \
                   $(wildcard knowledge/triage/*.yml) $(wildcard data/triage/*.jsonl)

.PHONY: help setup train run shell validate test test-unit test-stories test-e2e clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: $(INSTALLED) $(SPACY_PIPELINE)  ## create .venv (Python 3.10), install pinned packages, build the spaCy pipeline

$(INSTALLED): requirements.txt scripts/find_python.sh
	@python=$$(scripts/find_python.sh) || exit 1; \
	 if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	   echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
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
	$(PY) -m clinic_bot.servers

shell: setup $(MODEL)  ## chat in the terminal (starts the action server in the background)
	@mkdir -p var/log; $(PY) -m rasa_sdk --actions actions --port $(ACTION_PORT) > var/log/actions-shell.log 2>&1 & pid=$$!; \
	 trap "kill $$pid" EXIT; \
	 $(PY) -c 'from clinic_bot.servers import write_endpoints as w; import os; w(int(os.environ["ACTION_PORT"]), os.environ["TRACKER_DB"], "var")'; \
	 $(RASA) shell --model $(MODEL) --endpoints var/endpoints.yml

validate: setup  ## check the data: Rasa's validator (warnings fail) and the knowledge checks
	$(RASA) data validate --fail-on-warnings --quiet
	$(PY) -m clinic_bot.validate

test: validate $(MODEL) browser  ## everything: data checks, unit tests, test stories, NLU hold-out, end-to-end over REST and in the browser
	$(PY) -m pytest

clean:  ## remove the trained model, caches and results (keeps .venv and conversations)
	rm -rf models .rasa results .pytest_cache

# --- Staff workflow (README "For clinic staff"): values come from the command line, e.g. INTENT=... ---
.PHONY: add-example review import-review record-baseline

add-example: setup  ## add a training example: make add-example INTENT=ask_insurance TEXT="does medicaid cover nerve blocks"
	@if [ -z "$$INTENT" ] || [ -z "$$TEXT" ]; then \
	   echo 'usage: make add-example INTENT=ask_insurance TEXT="does medicaid cover nerve blocks"'; exit 2; fi
	@$(PY) -m clinic_bot.staff.add_example "$$INTENT" "$$TEXT"

review: setup  ## conversations to look at -> var/review/*.csv (options: DAYS=7 THRESHOLD=0.7 OUT=file.csv)
	@$(PY) -m clinic_bot.staff.review --db "$$TRACKER_DB" $${DAYS:+--days "$$DAYS"} \
	   $${THRESHOLD:+--threshold "$$THRESHOLD"} $${OUT:+--out "$$OUT"}

import-review: setup  ## add the examples labelled in a review file: make import-review FILE=var/review/review-....csv
	@if [ -z "$$FILE" ]; then echo 'usage: make import-review FILE=var/review/review-<date>.csv'; exit 2; fi
	@$(PY) -m clinic_bot.staff.import_review "$$FILE"

record-baseline: $(MODEL)  ## record the current NLU hold-out accuracy as the figure `make test` compares with
	RECORD_HOLDOUT_BASELINE=1 $(PY) -m pytest tests/model/test_nlu_holdout.py -k holdout_accuracy -q

# --- Triage (docs/triage.md): red-flag concepts, ConText, the urgent/personal/general classifier ---
.PHONY: triage-tune

triage-tune: setup  ## the triage's recall and false alarms on the tuning set at each threshold (to choose config.yml's)
	$(PY) -m clinic_bot.triage.tune

# --- Privacy and the HTTP API (README "Security and privacy"; clinic_bot/privacy.py) ---
# `make run ENABLE_API=1` also opens Rasa's HTTP API, only with RASA_AUTH_TOKEN set (16+ characters).
.PHONY: purge forget

purge:  ## delete conversations older than DAYS days (default 30): make purge DAYS=30
	$(PY) -m clinic_bot.privacy --db "$$TRACKER_DB" purge --days "$${DAYS:-30}"

forget:  ## delete one patient's conversation ("forget me"): make forget SENDER=<sender id>
	@if [ -z "$$SENDER" ]; then echo 'usage: make forget SENDER=<sender id>'; exit 2; fi
	$(PY) -m clinic_bot.privacy --db "$$TRACKER_DB" forget -- "$$SENDER"

# --- Chat widget (README "Chat widget"): widget/, clinic_bot/web.py, tests/browser ---
.PHONY: browser test-browser

browser: setup  ## install Debian's Chromium for the browser tests, if missing (Playwright comes with requirements.txt)
	scripts/install_browser.sh

test-browser: browser $(MODEL)  ## only the chat widget's tests in Chromium (screenshot: reports/widget.png)
	$(PY) -m pytest tests/browser

# --- Benchmark (README "Benchmark"): bench/, reports/benchmark.md ---
.PHONY: bench

bench: setup  ## measure understanding (with a scikit-learn peer), speed and footprint -> reports/benchmark.md (~15 min)
	$(PY) -m bench.run $(BENCH_ARGS)
