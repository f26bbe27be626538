"""``steward worker --metrics-port P``: the scheduler's runs and the database gauges on /metrics."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families

from storage.uow import ensure_schema
from tests.slack.test_serve import free_port, steward_command


def test_the_worker_serves_metrics_counting_its_scheduler_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'steward.db'}"
    ensure_schema(url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SLACK_BOT_TOKEN", "PROMETHEUS_MULTIPROC_DIR")}
    proc = subprocess.Popen([*steward_command(), "worker", "--metrics-host", "127.0.0.1", "--metrics-port",
                             str(port)], env={**env, "DATABASE_URL": url}, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        runs: dict[str, float] = {}
        while time.monotonic() < deadline and "queue_digests" not in runs:  # the first resync runs at once
            try:
                text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.2)
                continue
            families = list(text_string_to_metric_families(text))
            runs = {s.labels["duty"]: s.value for f in families for s in f.samples
                    if s.name == "steward_scheduler_runs_total" and s.labels.get("outcome") == "ok"}
            up = [s.value for f in families for s in f.samples if s.name == "steward_database_up"]
            time.sleep(0.2)
        assert runs.get("queue_digests", 0) >= 1 and runs.get("subscriptions", 0) >= 1, runs
        assert up == [1.0]
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0
