"""docker-compose.yml runs the shape `make team` runs and the tests check (no Docker engine
here): the same nginx configuration, Redis bounds, worker settings and restart policy."""

from __future__ import annotations

from pathlib import Path

import yaml

from deploy.nginx_conf import COMPOSE_MAX_UPLOAD_MB, compose_conf
from deploy.team import REDIS_POLICY

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_nginx_is_given_the_configuration_make_team_writes():
    nginx = compose()["services"]["nginx"]
    assert "./deploy/nginx-compose.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]
    assert (ROOT / "deploy" / "nginx-compose.conf").read_text() == compose_conf()
    conf = compose_conf()
    assert "hash $cookie_medstat_browser consistent;" in conf
    assert "server medstat:7860 resolve" in conf and "resolver 127.0.0.11" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert f"client_max_body_size {COMPOSE_MAX_UPLOAD_MB:g}m;" in conf


def test_workers_share_redis_behind_the_proxy_and_are_restarted():
    services = compose()["services"]
    worker = services["medstat"]
    env = worker["environment"]
    assert env["MEDSTAT_REDIS_URL"] == "redis://redis:6379/0"
    assert env["MEDSTAT_REDIS_SECRET"].startswith("${MEDSTAT_REDIS_SECRET:?")  # required
    assert env["MEDSTAT_PROXY_HOPS"] == "1"
    assert float(env["MEDSTAT_MAX_UPLOAD_MB"]) == COMPOSE_MAX_UPLOAD_MB
    assert worker["deploy"]["replicas"] == "${WORKERS:-2}"
    assert worker["deploy"]["resources"]["limits"]["memory"] == "${WORKER_MB:-1024}M"
    assert "MEDSTAT_MEMORY_LIMIT_MB" not in env  # the container's limit is the budget
    for name in ("medstat", "redis", "nginx"):
        assert services[name]["restart"] == "unless-stopped"
    redis = services["redis"]["command"]
    assert "--maxmemory ${REDIS_MB:-256}mb" in redis
    assert f"--maxmemory-policy {REDIS_POLICY}" in redis
