# Giảm nghèo -- developer entry points. Keep this thin: the logic lives in scripts/.
#   make run                      bootstrap + services + migrate + demo data + web/worker/beat
#   make test [ARGS="-k foo"]     bootstrap + services + compilemessages + ruff + pytest
SHELL := /bin/bash
.DEFAULT_GOAL := help
ARGS ?=

.PHONY: help bootstrap run test services-up services-down services-status lint clean-local

help:
	@echo "make run                 start the app at http://127.0.0.1:$${PORT:-8000}/ (Ctrl-C stops it)"
	@echo "make test [ARGS=...]     compilemessages, ruff and pytest (ARGS go to pytest)"
	@echo "make services-up         start the project-local PostgreSQL and Redis (.local/)"
	@echo "make services-down       stop them"
	@echo "make services-status     show whether they are running"
	@echo "make lint                ruff (and shellcheck when installed)"
	@echo "make clean-local         stop the services and delete .local/ (all local data)"
	@echo "make bootstrap           install system packages and the .venv if missing"

bootstrap:
	@bash scripts/bootstrap.sh

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(ARGS)

services-up:
	@bash scripts/services.sh up

services-down:
	@bash scripts/services.sh down

services-status:
	@bash scripts/services.sh status

lint: bootstrap
	@.venv/bin/ruff check .
	@if command -v shellcheck >/dev/null 2>&1; then shellcheck -x scripts/*.sh .ci/run; \
	else echo "shellcheck not installed: skipping the shell scripts"; fi

clean-local:
	@bash scripts/services.sh clean
