"""docker-compose.yml runs the shape `make team` runs and the tests check (no Docker engine
here): the same nginx configuration, Redis bounds, worker settings, restart policy and health
routing."""

from __future__ import annotations

from pathlib import Path

import yaml

from deploy.nginx_conf import COMPOSE_MAX_UPLOAD_MB, COMPOSE_UPSTREAM, compose_conf
from deploy.team import REDIS_POLICY

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_nginx_is_given_the_configuration_make_team_writes():
    nginx = compose()["services"]["nginx"]
    assert "./deploy/nginx-compose.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]
    assert (ROOT / "deploy" / "nginx-compose.conf").read_text() == compose_conf()
    conf = compose_conf()
    assert f"include {COMPOSE_UPSTREAM};" in conf and "resolver 127.0.0.11" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert f"client_max_body_size {COMPOSE_MAX_UPLOAD_MB:g}m;" in conf


def mounted(service: dict, volume: str) -> str:
    """Where a service mounts a named volume (with its ':ro', if any)."""
    return next(v.split(":", 1)[1] for v in service["volumes"] if v.split(":")[0] == volume)


def test_the_health_service_writes_the_upstream_nginx_reloads_from():
    """Compose's active health routing: deploy/compose_health.py polls the worker service's
    replicas and writes the upstream include into a volume nginx reads, and nginx's command is
    the script that reloads it when that file changes (both run for real on loopback in
    tests/deploy/test_compose_health.py)."""
    services = compose()["services"]
    health, nginx = services["health"], services["nginx"]
    assert "upstream" in compose()["volumes"]
    command = health["command"]
    assert command[:3] == ["python", "-m", "deploy.compose_health"]
    assert command[command.index("--service") + 1] == "medstat:7860"  # the workers' port
    written = Path(command[command.index("--upstream") + 1])
    assert str(written.parent) == mounted(health, "upstream")
    assert mounted(nginx, "upstream") == f"{Path(COMPOSE_UPSTREAM).parent}:ro"
    assert written.name == Path(COMPOSE_UPSTREAM).name
    assert "./deploy/nginx_reload.sh:/etc/nginx/nginx_reload.sh:ro" in nginx["volumes"]
    assert nginx["command"] == [
        "/bin/sh",
        "/etc/nginx/nginx_reload.sh",
        COMPOSE_UPSTREAM,
        "nginx",
        "-g",
        "daemon off;",
    ]
    assert health["build"] == services["medstat"]["build"]  # the app's image
    assert health["healthcheck"] == {"disable": True}  # it serves no /healthz itself
    assert health["restart"] == "unless-stopped"


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
    for name in ("medstat", "redis", "nginx", "health"):
        assert services[name]["restart"] == "unless-stopped"
    redis = services["redis"]["command"]
    assert "--maxmemory ${REDIS_MB:-256}mb" in redis
    assert f"--maxmemory-policy {REDIS_POLICY}" in redis
