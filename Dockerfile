# syntax=docker/dockerfile:1
# hostportal's image: gunicorn serving Django, WhiteNoise serving the static files (docs/deployment.md).
# Everything is installed and compiled here, at build time: a container starts its process and nothing else
# (no pip install, no collectstatic, no migrate: docker-compose.yml runs `migrate` once, as its own service).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the dependencies in a virtualenv (every pin has a manylinux wheel: no compiler needed) ------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --require-virtualenv -r /tmp/requirements.txt

# --- runtime: the virtualenv, the code, compiled translations and collected static files; no build tools -
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=hostportal.settings \
    LOG_FORMAT=json \
    STATIC_ROOT=/app/staticfiles \
    STATIC_MANIFEST=true \
    HOSTPORTAL_VAR_DIR=/var/lib/hostportal \
    MEDIA_ROOT=/var/lib/hostportal/media \
    PORT=8000
# The service runs as an unprivileged user that owns its data folder only (the code is read-only to it).
RUN groupadd --system --gid 10001 hostportal \
    && useradd --system --uid 10001 --gid hostportal --home-dir /var/lib/hostportal --shell /usr/sbin/nologin hostportal \
    && install -d -o hostportal -g hostportal -m 0700 /var/lib/hostportal /var/lib/hostportal/media
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY . .
# The .mo catalogues (French) and the static files (admin, portal, the API docs' Swagger UI and Redoc),
# hashed and compressed for WhiteNoise. Settings are read with the demo defaults here, in a throw-away
# folder: no secret is needed to build, and nothing lands in the data folder.
RUN HOSTPORTAL_VAR_DIR=/tmp/build-var python manage.py compile_translations \
    && HOSTPORTAL_VAR_DIR=/tmp/build-var python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var \
    && python -m compileall -q /app
USER hostportal
EXPOSE 8000
# GET /health/ (the database and the broker) on the local server; the worker and beat services of
# docker-compose.yml replace this check with their own.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["python", "-m", "hostportal.health"]
CMD ["gunicorn", "-c", "hostportal/gunicorn_conf.py", "hostportal.wsgi"]
