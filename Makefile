# The two commands: `make run` and `make test`. Everything else is a step they take.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Settings for the production-settings checks run by `make test`.
CHECK_ENV := DJANGO_SETTINGS_MODULE=uscis_portal.settings.production \
	DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ \
	DJANGO_ALLOWED_HOSTS=portal.example.gov \
	DATABASE_URL=$${DATABASE_URL:-sqlite:///var/check.sqlite3} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-memory://} \
	CACHE_URL=redis://127.0.0.1:6379/15 EMAIL_URL=smtp://127.0.0.1:25 PORTAL_BASE_URL=https://portal.example.gov

.PHONY: run test install assets check lint typecheck bench messages clean mutation

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# USWDS comes from npm at set-up; without npm the pages still render with core/static/core/site.css.
assets:
	@if [ -f node_modules/@uswds/uswds/dist/css/uswds.min.css ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then :; \
	elif command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: pages will render without USWDS styling."; fi

var:
	mkdir -p var

run: install assets var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_directory
	$(PY) manage.py load_schedules
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_requests
	$(PY) manage.py seed_demo_appointments
	@echo "Starting web on http://127.0.0.1:$(PORT) with a Celery worker and beat (Ctrl-C stops all three)."
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A uscis_portal worker --loglevel=INFO --concurrency=2 & \
	$(VENV)/bin/celery -A uscis_portal beat --loglevel=INFO --schedule=var/celerybeat-schedule & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .

# mypy with django-stubs and djangorestframework-stubs over the whole project: 0 errors.
typecheck: install
	$(VENV)/bin/mypy .

check: install var
	$(PY) manage.py makemigrations --check --dry-run
	$(CHECK_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py spectacular --validate --fail-on-warn --file var/schema.yaml

# Two test processes (pytest-xdist; worksteal: an idle worker takes tests queued for the other, so neither
# waits on the other's last big file), then the production drills on their own, so they have the machine and
# their figures print in the summary.
test: install assets var lint typecheck check
	$(VENV)/bin/pytest -n 2 --dist worksteal -m "not production"
	$(VENV)/bin/pytest -m production

bench: install
	$(PY) bench/jurisdiction.py

# Mutation testing of the pure rule modules (slow: minutes; not part of `make test`). Prints each
# module's kill rate; fails below 90 %. Configuration: [tool.mutmut] in pyproject.toml.
mutation: install
	rm -rf mutants
	$(VENV)/bin/mutmut run
	$(VENV)/bin/mutmut results --all true | $(PY) tests/mutation_report.py

messages: install
	$(PY) manage.py makemessages -l es --ignore=.venv --ignore=node_modules
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache
