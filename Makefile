# Two commands do all set-up on a fresh machine with only python3: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test demo lint format bench

$(STAMP): requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m services demo --if-empty
	$(PY) -m streamlit run app.py --server.port 8501 --server.address localhost

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest -q

demo: $(STAMP)
	$(PY) -m services demo --reset

lint: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(STAMP)
	$(PY) benchmarks/schedule.py
	$(PY) benchmarks/import_bench.py $(if $(TEST_DATABASE_URL),--postgres $(TEST_DATABASE_URL))
	$(PY) benchmarks/page_speed.py
