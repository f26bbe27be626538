# Steward: the HTTP server for Slack (and Teams), on a slim Python base, running as a non-root user.
# On start it applies migrations to DATABASE_URL, then serves on port 3000 (POST /slack/events, GET /healthz).
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY domain ./domain
COPY handlers ./handlers
COPY storage ./storage
RUN python -m venv /opt/steward && /opt/steward/bin/pip install .

FROM python:3.11-slim
ENV PATH=/opt/steward/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
COPY --from=build /opt/steward /opt/steward
RUN useradd --system --uid 10001 --home-dir /app --create-home steward
WORKDIR /app
USER steward
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status != 200)"]
# exec: steward becomes PID 1's child-free replacement and receives SIGTERM for a clean shutdown.
CMD ["sh", "-c", "steward db upgrade && exec steward serve --host 0.0.0.0 --port 3000"]
