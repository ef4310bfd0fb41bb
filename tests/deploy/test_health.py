"""The health rule both ways to run the team shape apply (deploy/health.py) and the compose
health service's rounds (deploy/compose_health.py) with the workers' answers given."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

import deploy.compose_health as compose_health
from deploy.compose_health import HealthRouter
from deploy.health import FAILED_CHECKS, judge, write_upstream
from deploy.nginx_conf import Upstream


def test_out_after_two_failures_in_a_row_back_on_the_first_answer():
    assert FAILED_CHECKS == 2
    assert judge(False, 0, answered=False) == (False, 1)  # one miss: still in
    assert judge(False, 1, answered=True) == (False, 0)  # the count starts again
    assert judge(False, 1, answered=False) == (True, 2)  # two in a row: out
    assert judge(True, 5, answered=False) == (True, 6)
    assert judge(True, 6, answered=True) == (False, 0)  # back at once
    assert judge(True, 0, answered=False) == (True, 1)  # never seen answering: stays out


def test_the_upstream_file_is_replaced_whole_and_only_when_it_changes(tmp_path: Path):
    path = tmp_path / "upstream.conf"
    servers = [Upstream("10.0.0.2:7860"), Upstream("10.0.0.3:7860", down=True)]
    assert write_upstream(path, servers) is True
    assert "server 10.0.0.3:7860 down;" in path.read_text()
    inode = path.stat().st_ino
    assert write_upstream(path, servers) is False and path.stat().st_ino == inode
    assert write_upstream(path, servers[:1]) is True and path.stat().st_ino != inode
    assert [p.name for p in tmp_path.iterdir()] == ["upstream.conf"]  # no temp file left


def router(tmp_path: Path, monkeypatch, found: list, up: set[str]) -> HealthRouter:
    def find() -> list[str]:
        if isinstance(found[0], Exception):
            raise found[0]
        return found[0]

    monkeypatch.setattr(compose_health, "healthy", lambda address: address in up)
    return HealthRouter(tmp_path / "upstream.conf", find, fallback="medstat:7860")


def test_the_service_follows_the_replicas_and_their_answers(tmp_path: Path, monkeypatch):
    a, b, c = "10.0.0.2:7860", "10.0.0.3:7860", "10.0.0.4:7860"
    found, up = [[a, b]], {a}
    health = router(tmp_path, monkeypatch, found, up)
    health.check()
    text = health.upstream.read_text()
    assert f"server {a} max_fails=0;" in text and f"server {b} down;" in text  # b: not yet
    up.add(b)
    found[0] = [b, a, c]  # a new replica (Docker's DNS, in any order)
    health.check()
    text = health.upstream.read_text()
    assert f"server {b} max_fails=0;" in text and f"server {c} down;" in text
    assert text.index(a) < text.index(b) < text.index(c)  # sorted: the same ring every time
    up.discard(a)
    health.check()
    assert f"server {a} max_fails=0;" in health.upstream.read_text()  # one miss
    health.check()
    assert f"server {a} down;" in health.upstream.read_text()  # two
    found[0] = socket.gaierror("Temporary failure in name resolution")
    health.check()  # not found: routing stays as it was
    assert f"server {a} down;" in health.upstream.read_text()
    assert health.standing[b] == (False, 0)
    found[0] = [b]  # a and c gone
    health.check()
    assert a not in health.upstream.read_text() and c not in health.upstream.read_text()


def test_with_no_replica_found_nginx_follows_the_service_name_itself(tmp_path, monkeypatch):
    health = router(tmp_path, monkeypatch, [[]], set())
    health.check()
    text = health.upstream.read_text()
    assert "server medstat:7860 resolve max_fails=0;" in text and "zone medstat" in text


@pytest.mark.parametrize(
    "argv",
    [["--upstream", "x"], ["--service", "a:1", "--workers", "b:2", "--upstream", "x"]],
)
def test_the_command_needs_one_way_to_find_the_workers(argv):
    with pytest.raises(SystemExit):
        compose_health.main(argv)
