# Two commands do all set-up on a fresh machine with only python3: `make run` and `make test`.
# Both install from a lock file with hashes (pip --require-hashes --no-deps: every package, direct or
# not, at the locked version and byte for byte the file that was locked). `make lock` regenerates the
# locks from pyproject.toml.
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
RUN_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
# Hashes come from PyPI alone, whatever local mirrors this machine's pip is configured with.
COMPILE := PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= $(VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url $(LOCK_ARGS)

.PHONY: run test demo lint format bench lock backup restore

$(RUN_STAMP): $(LOCK)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	touch $(RUN_STAMP)

$(DEV_STAMP): $(DEV_LOCK)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(DEV_LOCK)
	touch $(DEV_STAMP)

run: $(RUN_STAMP)
	$(PY) -m services demo --if-empty
	$(PY) -m streamlit run server.py --server.port 8501 --server.address localhost

test: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -q -n auto --dist loadgroup

# After editing the dependencies in pyproject.toml. Locked versions are kept unless pyproject.toml
# asks for others; upgrade the rest with e.g. `make lock LOCK_ARGS="--upgrade-package pillow"`.
lock: $(DEV_STAMP)
	$(COMPILE) --output-file $(LOCK) pyproject.toml
	$(COMPILE) --extra dev --output-file $(DEV_LOCK) pyproject.toml

demo: $(RUN_STAMP)
	$(PY) -m services demo --reset

lint: $(DEV_STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(DEV_STAMP)
	$(PY) benchmarks/schedule.py
	$(PY) benchmarks/import_bench.py $(if $(TEST_DATABASE_URL),--postgres $(TEST_DATABASE_URL))
	$(PY) benchmarks/page_speed.py

# The SQLite database (the default data/midway.db, or DATABASE_URL) copied with sqlite3's online
# backup API: safe while the app runs. `make backup` writes backups/midway-<UTC time>.db;
# `make restore FROM=backups/midway-....db` copies one back. PostgreSQL: pg_dump / pg_restore (README).
BACKUP_OUT ?= backups/midway-$(shell date -u +%Y%m%dT%H%M%SZ).db
backup: $(RUN_STAMP)
	mkdir -p $(dir $(BACKUP_OUT))
	$(PY) -m services backup --out $(BACKUP_OUT)

restore: $(RUN_STAMP)
	@test -n "$(FROM)" || (echo "usage: make restore FROM=backups/midway-....db" >&2; exit 2)
	$(PY) -m services restore --from $(FROM)
