# Production image: gunicorn serves the web app; the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=uscis_portal.settings.production
WORKDIR /app
RUN useradd --create-home --uid 1000 portal
COPY requirements.txt ./
RUN pip install --disable-pip-version-check -r requirements.txt
COPY . .
COPY --from=assets /app/node_modules/@uswds/uswds/dist /app/node_modules/@uswds/uswds/dist
# Static files are collected at build time; these values exist only for this one command.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    CELERY_BROKER_URL=memory:// CACHE_URL=redis://build-only:6379/0 EMAIL_URL=smtp://build-only:25 \
    PORTAL_BASE_URL=https://build-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "uscis_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
