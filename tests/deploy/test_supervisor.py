"""The supervisor of `make team` (deploy/team.py) on the real shape: a worker that dies is
restarted and comes back into nginx's upstream; a worker whose /healthz fails gets no new
sessions until it answers again; the page stays served by the other worker meanwhile."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

import pytest

from deploy.team import Team
from tests.deploy.conftest import cookie_for, route

pytestmark = [pytest.mark.redis]


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g} s: {what}")
        time.sleep(0.1)


def upstream_line(team: Team, port: int) -> str:
    text = team.upstream.read_text()
    return next(line for line in text.splitlines() if f":{port} " in line)


def test_the_shape_is_up_with_its_limits(team: Team):
    upstream = team.upstream.read_text()
    assert "hash $cookie_medstat_browser consistent;" in upstream
    assert all(f"127.0.0.1:{w.port} max_fails=0;" in upstream for w in team.workers)
    conf = team.conf.read_text()
    assert "client_max_body_size 1m;" in conf and "proxy_read_timeout 3600s;" in conf
    redis_log = (team.folder / "redis.log").read_text()
    assert "Ready to accept connections" in redis_log
    from redis import Redis

    client = Redis.from_url(team.redis_url)
    assert client.config_get("maxmemory")["maxmemory"] == str(256 * 2**20)
    assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "allkeys-lru"


def test_a_worker_that_dies_is_restarted_and_others_serve_meanwhile(team: Team):
    victim, other = team.workers
    cookie = cookie_for(team, victim)
    old_pid = victim.proc.pid
    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait(timeout=10)
    # Its browsers are served by the other worker at once (nginx: the refused connection)...
    assert route(team, cookie, "/") == other.address
    # ... the supervisor takes it out, starts it again, and puts it back once healthy.
    wait_until(lambda: victim.proc.pid != old_pid, 10, "the dead worker restarted")
    wait_until(lambda: not victim.down, 90, "the restarted worker back in the upstream")
    assert "down" not in upstream_line(team, victim.port)
    # nginx's reload is asynchronous: its browsers reach it again once the new config is live.
    wait_until(lambda: route(team, cookie) == victim.address, 15, "routed back")
    assert victim.history[-3:] == ["exited -9", "restarted", "up"]


def test_a_worker_failing_its_health_check_gets_no_new_sessions(team: Team):
    stuck, other = team.workers
    cookie = cookie_for(team, stuck)
    stuck.proc.send_signal(signal.SIGSTOP)  # alive, but /healthz no longer answers
    try:
        wait_until(lambda: "down" in upstream_line(team, stuck.port), 30, "marked down")
        # Once nginx has the new config (a reload is asynchronous), its browsers' new requests
        # go to the other worker (before, they waited on the stopped one: nothing refuses).
        wait_until(lambda: route(team, cookie, "/", 3) == other.address, 20, "sent elsewhere")
    finally:
        stuck.proc.send_signal(signal.SIGCONT)
    wait_until(lambda: "down" not in upstream_line(team, stuck.port), 30, "back in")
    wait_until(lambda: route(team, cookie) == stuck.address, 15, "routed back")
    assert stuck.proc.poll() is None  # taken out, not restarted: it was alive all along
