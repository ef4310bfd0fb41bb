"""Compose's health routing with real parts on loopback (no Docker here): the health service
(`python -m deploy.compose_health`, given the workers' addresses instead of Docker's DNS)
polls two real workers and writes the upstream include; a real Debian nginx runs under the
same reload script the compose stack's nginx runs (deploy/nginx_reload.sh) and follows the
file: a stopped worker (SIGSTOP: alive, /healthz not answering) is routed around, and comes
back when it answers again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from deploy.nginx_conf import nginx_conf
from deploy.processes import ROOT, Worker, free_port, wait_for_port, worker_env
from tests.deploy.conftest import cookie_for, route
from tests.deploy.test_supervisor import wait_until


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return proc.returncode


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:  # noqa: S310
            return response.status == 200
    except OSError:  # HTTPError (nginx's 502/503 while no worker is in) is one
        return False


@pytest.fixture(scope="module")
def shape(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """Two workers, the health service and nginx under the reload script, in one folder."""
    folder = tmp_path_factory.mktemp("compose_health")
    (folder / "temp").mkdir()
    env = worker_env("", "", 1024, 1)
    workers = [Worker(i, free_port(), env, folder / f"worker{i}.log") for i in range(2)]
    upstream = folder / "upstream.conf"
    port = free_port()
    conf = folder / "nginx.conf"
    user = "root" if os.geteuid() == 0 else ""
    conf.write_text(nginx_conf(f"127.0.0.1:{port}", str(upstream), 1, str(folder), user=user))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    reload_log = open(folder / "reload.log", "ab")  # noqa: SIM115 (the children hold it)
    health_log = open(folder / "health.log", "ab")  # noqa: SIM115
    # nginx as the compose stack starts it, with the prefix an unprivileged nginx needs here.
    reloader = subprocess.Popen(
        ["sh", str(ROOT / "deploy" / "nginx_reload.sh"), str(upstream), nginx]
        + ["-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
        + ["-g", "daemon off;"],
        stdout=reload_log,
        stderr=subprocess.STDOUT,
    )
    health = None
    try:
        for worker in workers:
            worker.start()
        addresses = ",".join(w.address for w in workers)
        health = subprocess.Popen(
            [sys.executable, "-m", "deploy.compose_health", "--workers", addresses]
            + ["--upstream", str(upstream), "--every", "0.5"],
            cwd=ROOT,
            stdout=health_log,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(port, reloader, 60)  # nginx starts once the health service wrote the file
        wait_until(lambda: "down" not in upstream.read_text(), 120, "both workers in")
        url = f"http://127.0.0.1:{port}"
        # nginx follows once the script has seen the file change (within a second) and reloaded.
        wait_until(lambda: answers(url), 30, "nginx reloaded with the workers in")
        yield SimpleNamespace(
            url=url,
            folder=folder,
            workers=workers,
            upstream=upstream,
            reloader=reloader,
            health=health,
        )
    finally:
        if health is not None:
            stop(health)
        stop(reloader)
        for worker in workers:
            worker.stop()
        for name in ("health.log", "reload.log", "error.log"):
            if (folder / name).exists():
                print(f"--- {name}\n" + (folder / name).read_text(errors="replace")[-2000:])


def line_of(shape: SimpleNamespace, worker: Worker) -> str:
    return next(line for line in shape.upstream.read_text().splitlines() if worker.address in line)


def test_a_stopped_worker_is_routed_around_and_comes_back(shape: SimpleNamespace):
    stuck, other = shape.workers
    text = shape.upstream.read_text()
    assert "hash $cookie_medstat_browser consistent;" in text
    assert all(f"server {w.address} max_fails=0;" in text for w in shape.workers)
    cookie = cookie_for(shape, stuck)
    reloads = (shape.folder / "reload.log").read_text().count("reloading nginx")
    stuck.proc.send_signal(signal.SIGSTOP)  # alive, but /healthz no longer answers
    try:
        wait_until(lambda: "down" in line_of(shape, stuck), 30, "marked down")
        # The script sees the file change within a second and reloads nginx (asynchronous).
        wait_until(lambda: route(shape, cookie, "/", 3) == other.address, 30, "sent elsewhere")
    finally:
        stuck.proc.send_signal(signal.SIGCONT)
    wait_until(lambda: "down" not in line_of(shape, stuck), 30, "back in")
    wait_until(lambda: route(shape, cookie) == stuck.address, 30, "routed back")
    assert stuck.proc.poll() is None  # taken out, not restarted: it was alive all along
    log = (shape.folder / "reload.log").read_text()
    assert log.count("reloading nginx") >= reloads + 2  # out, and back in
    health = (shape.folder / "health.log").read_text()
    assert f"worker {stuck.address} failed /healthz: out of the upstream" in health


def test_the_reload_script_stops_nginx_gracefully_and_ends_with_it(shape: SimpleNamespace):
    """As docker stop does (SIGTERM to the container's first process): nginx is stopped and
    the script ends, so the container's restart policy sees it."""
    nginx_pid = int((shape.folder / "nginx.pid").read_text())
    assert stop(shape.reloader) == 0
    wait_until(lambda: not Path(f"/proc/{nginx_pid}").exists(), 20, "nginx gone")
