# tdkt — the two commands: `make run` and `make test`.
# Both install what is missing first: Debian packages (LibreOffice, poppler, fonts, NSS
# tools) with apt-get, uv with pip, Python packages with uv from uv.lock.

SHELL := /bin/bash
APT_PACKAGES := libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-liberation2 fonts-dejavu-core \
                libnss3-tools python3-uno
# Only for `make test`: the browser the web page tests drive (headless, through Playwright).
TEST_APT_PACKAGES := chromium
# Only for `make bench`: the HTTP load generator of bench/api_latency.py.
BENCH_APT_PACKAGES := wrk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
# The suite on both cores, a test module per worker (its app server and fixtures stay
# in one process): `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: run test lint deps system-deps test-system-deps python-deps postgres bench templates form-pictures \
        docker images images-previous test-compose

run: deps ## serve the app with demo data on http://127.0.0.1:8000
	$(UV) run tdkt seed --demo
	$(UV) run tdkt demo stats
	@# The demo serves its own RFC 3161 time-stamping service: signatures are PAdES B-LT.
	@# Cụm I's 2026 year is played through the API by the demo accounts once the server
	@# answers (in the background: the pages are up at once, the year within a minute or two).
	export TDKT_TSA_URL=$${TDKT_TSA_URL:-http://127.0.0.1:$${TDKT_PORT:-8000}/api/v1/pki/tsa}; \
	  $(UV) run tdkt demo cluster-year --wait 600 & demo=$$!; \
	  trap 'kill $$demo 2>/dev/null' EXIT; \
	  $(UV) run tdkt serve

test: deps test-system-deps postgres lint ## the whole suite (unit, PostgreSQL, S3 over TLS, LibreOffice, HTTP end to end, pages in Chromium)
	$(UV) run pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile) $(PYTEST_ARGS)

lint: python-deps
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	$(UV) run lint-imports  # the contracts between packages: pyproject.toml [tool.importlinter]

deps: system-deps python-deps

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test-system-deps:
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(TEST_APT_PACKAGES)"

python-deps:
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
	$(UV) sync --frozen --quiet

postgres: ## start the local PostgreSQL server the tests use, if it is not running
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  command -v pg_ctlcluster >/dev/null || { $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; }; \
	  $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -1) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	  pg_isready -h 127.0.0.1 -p 5432; }

templates: python-deps ## rebuild doc_templates/forms/*.docx from doc_templates/build_templates.py
	$(UV) run python -m doc_templates.build_templates

form-pictures: deps ## draw page 1 of two forms (sample dossier, LibreOffice PDF) into docs/forms/*.png
	$(UV) run python -m doc_templates.pictures

BENCH_N ?= 300
bench: deps postgres ## figures into bench/results/*.json and bench/results/SUMMARY.md
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(BENCH_APT_PACKAGES)"
	$(UV) run python bench/sign_one.py
	$(UV) run python bench/personal_signature.py
	$(UV) run python bench/floor_and_stage.py
	$(UV) run python bench/burst.py --n $(BENCH_N)
	$(UV) run python bench/api_latency.py
	$(UV) run python bench/server_mode.py
	$(UV) run python bench/round_list.py
	$(UV) run python bench/decision_list.py
	$(UV) run python bench/person_page.py
	$(UV) run python bench/summary.py

# --- Containers from a Debian mirror and PyPI alone (docs/production.md, «Air-gapped install») ---
# Debian's Docker engine (docker.io) and Compose (docker-compose 1.29 on bookworm; the
# `docker compose` plugin is used where it is installed). dockerd is started if not running.
DOCKER_APT_PACKAGES := docker.io docker-compose debootstrap poppler-utils libnss3-tools

docker: ## the Docker engine of Debian's packages, running
	@$(MAKE) --no-print-directory system-deps APT_PACKAGES="$(DOCKER_APT_PACKAGES)"
	@docker info >/dev/null 2>&1 || { \
	  echo "starting dockerd (log: /var/log/tdkt-dockerd.log)"; \
	  (setsid dockerd >/var/log/tdkt-dockerd.log 2>&1 &); \
	  for i in $$(seq 1 30); do docker info >/dev/null 2>&1 && break; sleep 1; done; \
	  docker info >/dev/null; }

images: docker ## tdkt-base:bookworm (debootstrap), tdkt:0.1.0, tdkt-postgres:15, tdkt-s3-moto:5
	deploy/images/build.sh

# The previous release for the upgrade test: the app of PREVIOUS_COMMIT (main before
# migration 0032; its own Dockerfile has no BASE argument, so today's Dockerfile builds
# its source on tdkt-base). Kept while an image of that commit exists.
PREVIOUS_COMMIT ?= 5d593dd
images-previous: images ## tdkt:previous, the upgrade test's old image (PREVIOUS_COMMIT)
	@[ "$$(docker image inspect -f '{{index .Config.Labels "tdkt.commit"}}' tdkt:previous 2>/dev/null)" = "$(PREVIOUS_COMMIT)" ] || { \
	  git cat-file -e "$(PREVIOUS_COMMIT)^{commit}" 2>/dev/null || { \
	    echo "$(PREVIOUS_COMMIT) is not in this clone: fetching the history (git fetch --unshallow)"; \
	    git fetch -q --unshallow 2>/dev/null || git fetch -q origin; \
	    git cat-file -e "$(PREVIOUS_COMMIT)^{commit}"; } && \
	  dir=$$(mktemp -d) && git archive $(PREVIOUS_COMMIT) | tar -x -C $$dir && \
	  docker build -q -f Dockerfile --build-arg BASE=tdkt-base:bookworm \
	    --label tdkt.commit=$(PREVIOUS_COMMIT) -t tdkt:previous $$dir; rc=$$?; rm -rf $$dir; exit $$rc; }

# Not part of `make test` (.ci/run runs it after): the compose stack up, the demo route over HTTP,
# a killed worker, down/up, backup and restore, an upgrade; everything removed.
test-compose: images images-previous python-deps ## docker-compose.yml + deploy/compose.airgap.yml, driven over HTTP
	$(UV) run pytest tests/deploy/test_compose_stack.py tests/deploy/test_compose_upgrade.py -m compose -s -p no:cacheprovider $(PYTEST_ARGS)
