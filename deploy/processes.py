"""The processes of the team shape on one machine: Redis, the MedStat workers and nginx, each
started in the foreground with its files in one directory, on loopback ports."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(folder: Path, port: int, maxmemory_mb: int, policy: str) -> subprocess.Popen:
    """redis-server as the shared tier: bounded memory, an eviction policy, no persistence
    (every key is a cache entry or a tab's state that expires on its own)."""
    binary = shutil.which("redis-server") or "/usr/sbin/redis-server"
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(folder)]
    command += ["--maxmemory", f"{maxmemory_mb}mb", "--maxmemory-policy", policy]
    log = open(folder / "redis.log", "ab")  # noqa: SIM115 (the child holds it)
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port} within {seconds:g} s")


@dataclass
class Worker:
    """One MedStat worker: `shiny run app.py` as `make run` starts it, on its own port."""

    number: int
    port: int
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = None
    starts: int = 0
    down: bool = True  # out of nginx's upstream until its /healthz answers
    failed_checks: int = 0
    restart_at: float = 0.0
    deaths: int = 0  # in a row, for the restart backoff
    up_since: float = 0.0
    history: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "shiny", "run", "app.py", "--host", "127.0.0.1"]
        command += ["--port", str(self.port)]
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=self.env
            )
        self.starts += 1
        self.failed_checks = 0

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout_s: float = 10) -> None:
        if not self.alive():
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout_s)


def worker_env(
    redis_url: str, secret: str, memory_mb: float, max_upload_mb: float
) -> dict[str, str]:
    """A worker's environment: the caller's MEDSTAT_* settings, and what the shape needs."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "MALLOC_ARENA_MAX": "2"}  # as `make run`
    env.update(
        {
            "MEDSTAT_REDIS_URL": redis_url,
            "MEDSTAT_REDIS_SECRET": secret,
            "MEDSTAT_PROXY_HOPS": "1",  # the client's address is the one nginx wrote
            "MEDSTAT_MEMORY_LIMIT_MB": f"{memory_mb:g}",
            "MEDSTAT_MAX_UPLOAD_MB": f"{max_upload_mb:g}",
        }
    )
    return env


def start_nginx(folder: Path, conf: Path) -> subprocess.Popen:
    """Debian's nginx as an unprivileged foreground process, everything under `folder`."""
    # nginx makes the temp folders itself, owned by its worker's user when started as root.
    (folder / "temp").mkdir(parents=True, exist_ok=True)
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    command = [binary, "-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
    command += ["-g", "daemon off;"]
    log = open(folder / "nginx.out", "ab")  # noqa: SIM115 (the child holds it)
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)


def reload_nginx(proc: subprocess.Popen) -> None:
    """Re-read the configuration: new connections follow it; open websockets stay where they
    are (the old nginx worker keeps them until they close)."""
    proc.send_signal(signal.SIGHUP)
