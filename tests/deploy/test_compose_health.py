"""Compose's health routing with real parts on loopback (no Docker here): the health service
(`python -m deploy.compose_health`, given the workers' addresses instead of Docker's DNS)
polls two real workers and writes the upstream include; a real Debian nginx runs under the
same reload script the compose stack's nginx runs (deploy/nginx_reload.sh) and follows the
file: a stopped worker (SIGSTOP: alive, /healthz not answering) is routed around, and comes
back when it answers again."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
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


def nginx_follows(reload_log: Path, upstream: Path) -> bool:
    """Whether nginx routes every new connection by the upstream file as it is now.

    The reload script logs the `cksum` of the contents it starts or reloads nginx with; nginx
    logs (at notice, into the same file, so in order) the SIGHUP it takes, the worker processes
    it starts and each old one's "gracefully shutting down". A reload is graceful: until an old
    worker has taken its shutdown signal it still accepts new connections, and routes them by
    the file it started with, so one answer through nginx does not show the new file is
    followed (a request after it may meet the old worker: a 502 when no worker was in)."""
    now = subprocess.run(["cksum"], input=upstream.read_bytes(), capture_output=True, check=True)
    lines = reload_log.read_text(errors="replace").splitlines()
    given = [i for i, line in enumerate(lines) if "(cksum " in line]
    if not given or f"(cksum {now.stdout.decode().strip()})" not in lines[given[-1]]:
        return False  # the script has not yet seen the file as it is now
    if "starting nginx" in lines[given[-1]]:
        return True  # nginx read the file after the script took that cksum
    # The script sends the HUP after its line: a "reconfiguring" after it read the file later.
    taken = [i for i, line in enumerate(lines[given[-1] :]) if "reconfiguring" in line]
    if not taken:
        return False
    before = "\n".join(lines[: given[-1] + taken[-1]])
    text = "\n".join(lines)
    old = set(re.findall(r"start worker process (\d+)", before))
    done = set(re.findall(r"(\d+)#\d+: gracefully shutting down", text))
    done |= set(re.findall(r"worker process (\d+) exited", text))
    return old <= done  # no worker of an earlier configuration accepts any more


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
    # nginx as the compose stack starts it, with the prefix an unprivileged nginx needs here,
    # and its notices (signals taken, workers started and reaped) after the script's lines.
    reloader = subprocess.Popen(
        ["sh", str(ROOT / "deploy" / "nginx_reload.sh"), str(upstream), nginx]
        + ["-p", str(folder), "-c", str(conf), "-e", str(folder / "error.log")]
        + ["-g", "daemon off; error_log stderr notice;"],
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
        # nginx follows once the script has seen the file change (within a second), reloaded it,
        # and the workers of the configurations before (none, then perhaps one worker in) have
        # exited: until then a request may still be routed by one of those.
        reloads = folder / "reload.log"
        wait_until(lambda: nginx_follows(reloads, upstream), 30, "nginx reloaded with both in")
        url = f"http://127.0.0.1:{port}"
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
