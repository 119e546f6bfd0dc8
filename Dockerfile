# actionbot in a container: `docker compose up` runs it with PostgreSQL (see compose.yaml).
# Build stage: the wheel, built from this checkout.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY store ./store
# bot/teams_app links to manifests/teams: the Teams app's manifest and icons go into the wheel.
COPY manifests ./manifests
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Run stage: the wheel and its dependencies, run as an unprivileged user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000 \
    ACTIONBOT_LOG=json
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin actionbot \
    && install -d -o actionbot -m 0750 /var/lib/actionbot/evidence
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER actionbot
WORKDIR /home/actionbot
EXPOSE 3000
# 200 while the database answers (GET /healthz); the image has no curl, Python does it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
# Every actionbot command brings the schema up to date first: migrations run on start.
CMD ["actionbot", "serve"]
