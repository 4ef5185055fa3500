# The portal's image: web (gunicorn), Celery worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Pango and a font for the PDF reports (WeasyPrint draws text with them); postgresql-client (15,
# the server's version) for `manage.py backup` / `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
       postgresql-client \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Translations and static files are built into the image. The settings demand production
# values even at build time: these dummies exist only for this step and are never run with.
# gettext is needed only to compile the .po files, so it is removed again in the same layer.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && if find locale -name '*.po' | grep -q .; then \
         DEBUG=false SECRET_KEY=build-only-not-secret EMAIL_HOST=localhost \
         python manage.py compilemessages; fi \
    && apt-get purge -y --auto-remove gettext \
    && rm -rf /var/lib/apt/lists/* \
    && DEBUG=false SECRET_KEY=build-only-not-secret EMAIL_HOST=localhost VAR_DIR=/app/var \
       python manage.py collectstatic --noinput

# Run unprivileged: the code stays owned by root (read-only to the app); only var/
# (media uploads, beat schedule) is writable.
RUN useradd --system --uid 10001 --home-dir /app --no-create-home portal \
    && mkdir -p /app/var/media \
    && chown -R portal:portal /app/var/media \
    && chown portal:portal /app/var
USER portal

EXPOSE 8000
CMD ["gunicorn", "network_portal.wsgi:application", "--bind=0.0.0.0:8000", "--access-logfile=-"]
