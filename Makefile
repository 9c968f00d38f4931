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
                   clinic_bot/nlu_components.py clinic_bot/safety.py knowledge/red_flags.yml

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

run: setup $(MODEL)  ## start the action server and the Rasa server (REST); Ctrl-C stops both
	$(PY) -m clinic_bot.servers

shell: setup $(MODEL)  ## chat in the terminal (starts the action server in the background)
	@mkdir -p var/log; $(PY) -m rasa_sdk --actions actions --port $(ACTION_PORT) > var/log/actions-shell.log 2>&1 & pid=$$!; \
	 trap "kill $$pid" EXIT; \
	 $(PY) -c 'from clinic_bot.servers import write_endpoints as w; import os; w(int(os.environ["ACTION_PORT"]), os.environ["TRACKER_DB"], "var")'; \
	 $(RASA) shell --model $(MODEL) --endpoints var/endpoints.yml

validate: setup  ## check the data: Rasa's validator (warnings fail) and the knowledge checks
	$(RASA) data validate --fail-on-warnings --quiet
	$(PY) -m clinic_bot.validate

test: validate $(MODEL)  ## everything: data checks, unit tests, test stories, NLU hold-out, end-to-end over REST
	$(PY) -m pytest

clean:  ## remove the trained model, caches and results (keeps .venv and conversations)
	rm -rf models .rasa results .pytest_cache
