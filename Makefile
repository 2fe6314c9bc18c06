# Two commands on a fresh machine: `make demo` and `make test`. Everything else is set up on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MODEL  := models/default/card.json
PIP    := $(BIN)/pip --disable-pip-version-check -q

.PHONY: demo test lint bench model install clean report-check

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e '.[dev]'
	touch $(STAMP)

# The default model ships in models/default; it is rebuilt from data/ only when missing.
$(MODEL): | $(STAMP)
	$(BIN)/python -m training.build_default --out models/default

model: $(MODEL)

demo: $(STAMP) $(MODEL)
	@echo "== tagging the sample survey export (data/examples/nps_export.csv) with the default model =="
	$(BIN)/insight tag data/examples/nps_export.csv -o demo/nps_export.tagged.csv
	@echo
	@echo "== the report: what moves the NPS (demo/report.html, demo/report.json) =="
	$(BIN)/insight report demo/nps_export.tagged.csv -o demo/report.html --json demo/report.json \
	  --segment-col channel region plan
	@echo
	@echo "== a few comments, one at a time =="
	$(BIN)/insight classify \
	  "Fast delivery, but the courier was rude." \
	  "Тариф подорожал уже второй раз за год, ухожу к конкурентам." \
	  "Aplikacja ciągle się zawiesza przy płatności." \
	  "Love the coffee, a bit pricey though ☕"
	@echo
	@echo "Tagged export: demo/nps_export.tagged.csv; report: demo/report.html (open it in a browser)"

test: $(STAMP) $(MODEL) lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP) $(MODEL)
	$(PIP) install -e '.[bench]'
	$(PIP) install -e '.[bench-embeddings]' || echo "bench: the embedding peer could not be installed; its rows will say not run"
	$(BIN)/python -m bench

# Render the demo report in headless Chromium (Debian's package, installed on first use) and
# fail on any console message; the screenshot is for a person to look at.
CHROMIUM_FLAGS := --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --enable-logging=stderr --v=0
report-check: demo
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	chromium $(CHROMIUM_FLAGS) --user-data-dir=$$(mktemp -d) --window-size=1280,3200 \
	  --screenshot=demo/report.png file://$(CURDIR)/demo/report.html 2> demo/chromium.log
	@if grep -E "CONSOLE|Uncaught" demo/chromium.log; then echo "console messages above"; exit 1; fi
	@echo "demo/report.html renders with no console messages; screenshot: demo/report.png"

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache
