"""``steward serve`` leaves no process behind: its worker processes die with it, even when it is killed
with SIGKILL (``PR_SET_PDEATHSIG``), and a SIGTERM drains and stops the whole tree within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.slack.test_serve import free_port, steward_command

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


def children(pid: int) -> list[int]:
    """Live processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, waiting to be reaped


def start_serve(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "STEWARD_"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'steward.db'}", "STEWARD_WORK_PROCESSES": "1"})
    proc = subprocess.Popen([*steward_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--no-scheduler"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, port
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("steward serve did not come up")


def wait_gone(pids: list[int], within: float) -> list[int]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def test_kill_9_of_serve_leaves_no_child_within_2_seconds(tmp_path: Path) -> None:
    proc, _ = start_serve(tmp_path)
    workers = children(proc.pid)
    assert workers, "serve started no worker process"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(5)
    assert wait_gone(workers, 2.0) == []


def test_sigterm_stops_the_whole_tree_within_12_seconds(tmp_path: Path) -> None:
    proc, _ = start_serve(tmp_path)
    workers = children(proc.pid)
    assert workers
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(12) == 0
    assert wait_gone(workers, max(0.5, 12 - (time.monotonic() - started))) == []
