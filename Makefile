# IOP admissions assistant. `make run` and `make test` do all setup themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10: use python3.10 from PATH, or pyenv's copy when the shim has none selected.
PYTHON310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	  $$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/iop.tar.gz
SPACY_MODEL := var/spacy/en_iop_lookup/meta.json
RESPONSES := data/generated/responses.yml
# The folders too: a training file taken out changes its folder's time, so the model is trained again.
TRAINING_INPUTS := config.yml domain.yml $(RESPONSES) $(shell find data/nlu data/stories data/rules -name '*.yml' 2>/dev/null) \
	$(wildcard data/nlu data/stories data/rules) \
	$(wildcard bot/rasa_server/nlu/*.py bot/rasa_server/policies/*.py bot/safety/*.py content/safety/*.yml)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install run shell test unit validate conversation-tests eval bench soak bench-stores train responses migrate clean system-deps \
	seed-fingerprints purge staff

help:
	@echo "make run    install if needed, train if needed, start the assistant, web widget and staff console"
	@echo "make test   install if needed, validate data, train if needed, run conversation tests and pytest"
	@echo "make shell  talk to the assistant in this terminal"
	@echo "make eval   NLU held-out accuracy, cross-validation, crisis recall and false alarms"
	@echo "make bench  accuracy, latency, throughput and training time vs Rasa's default pipeline"
	@echo "make soak   the scaled profile for 10 minutes at a person's pace, one Rasa server killed halfway"
	@echo "make bench-stores  a turn's tracker store work on SQLite, PostgreSQL and Redis, ours and Rasa's"
	@echo "make purge  delete conversations and closed requests past their retention period (the website does it every 6 hours)"
	@echo "make staff ARGS='add NAME --admin'   manage staff console accounts (add, disable, enable, reset, list)"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is required (Rasa 3.6 does not support 3.11+)."; exit 1; }
	test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.2"
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed $(SPACY_MODEL)

$(SPACY_MODEL): $(VENV)/.installed bot/tools/spacy_model.py
	$(PY) -m bot.tools.spacy_model

# Rendered from content/ and the program settings; rewritten only when the result changes, so an
# edit that changes nothing does not retrain.
$(RESPONSES): $(VENV)/.installed $(shell find content -name '*.yml') bot/texts.py bot/settings.py bot/clock.py
	$(PY) -m bot.texts

responses: $(RESPONSES)

$(MODEL): $(VENV)/.installed $(SPACY_MODEL) $(TRAINING_INPUTS)
	$(RASA) train --data data --config config.yml --domain domain.yml --out models --fixed-model-name iop --quiet
	touch $@

train: $(MODEL)

migrate: install
	$(PY) -m bot.store.db upgrade

validate: install responses
	$(PY) -m bot.safety
	$(PY) -m bot.tools.validate_data

# IOP_RASA_SERVERS=2 make run: the scaled profile (bot/tools/scaled) needs PostgreSQL, Redis and nginx.
SCALED_DEPS := $(if $(filter-out 0 1,$(IOP_RASA_SERVERS)),system-deps)

run: $(SCALED_DEPS) install train migrate
	$(PY) -m bot.tools.run

shell: install train migrate
	$(PY) -m bot.tools.run --shell

conversation-tests: train
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/core --no-plot

unit: install responses
	$(PY) -m pytest -q

system-deps:
	bash .ci/system-deps

test: system-deps validate train conversation-tests unit

purge: migrate
	$(PY) -m bot.store.retention

staff: migrate
	$(PY) -m bot.website.console.staff $(ARGS)

eval: train
	$(PY) -m bot.tools.evaluate

bench: train
	$(PY) -m bot.tools.bench

soak: system-deps train
	$(PY) -m bot.tools.bench.soak

bench-stores: system-deps train
	$(PY) -m bot.tools.bench.stores

# The originality and citation checks read fingerprints of the seed articles kept in tests/data;
# refresh them when the seeds change (default folder: ../shared/seeds, or IOP_SEEDS_DIR).
seed-fingerprints: install
	$(PY) -m tests.support.seeds

clean:
	rm -rf models results var/spacy data/generated .rasa
