# Kasip: two commands for a newcomer — `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install db data bench clean

run: $(STAMP) db  ## start Kasip: the Telegram bot if TELEGRAM_BOT_TOKEN is set, else the terminal chat
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(BIN)/kasip bot; else exec $(BIN)/kasip chat; fi

test: $(STAMP)  ## run the whole test suite
	$(BIN)/python -m pytest -q

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

db: $(STAMP)  ## create or migrate the SQLite database (KASIP_DB, default var/kasip.sqlite), build the index
	$(BIN)/kasip db migrate --quiet
	$(BIN)/kasip vacancies import --demo --if-empty --quiet
	@$(BIN)/kasip index >/dev/null

bench: $(STAMP)  ## resolver accuracy and speed figures
	$(BIN)/kasip bench accuracy
	$(BIN)/kasip bench speed

data: $(STAMP)  ## rebuild knowledge/data/nkz2017.tsv from ../shared (maintainers only)
	$(BIN)/python -m knowledge.build.nkz
	$(BIN)/python -m knowledge.build.aliases_en
	$(BIN)/python -m knowledge.build.check_content --complete

clean:
	rm -rf $(VENV) .pytest_cache
