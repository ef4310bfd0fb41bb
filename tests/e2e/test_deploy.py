"""The container's start command, run as CI can (no Docker engine here): health and page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.e2e.conftest import ROOT, free_port, wait_for_http


def dockerfile_cmd() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    match = re.search(r"^CMD (\[.*\])\s*$", text, re.MULTILINE)
    assert match, "the Dockerfile has no exec-form CMD"
    return json.loads(match.group(1))


def dockerfile_env() -> dict[str, str]:
    """NAME=value pairs of the Dockerfile's ENV instructions (continued lines joined)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found: dict[str, str] = {}
    for line in re.findall(r"^ENV (.+)$", text, re.MULTILINE):
        found.update(pair.split("=", 1) for pair in line.split() if "=" in pair)
    return found


def test_dockerfile_env_and_make_run_set_the_same_malloc_arenas():
    assert dockerfile_env()["MALLOC_ARENA_MAX"] == "2"
    makefile = (ROOT / "Makefile").read_text()
    assert "\tMALLOC_ARENA_MAX=2 $(VENV)/bin/shiny run app.py --host 0.0.0.0" in makefile


def test_dockerfile_cmd_matches_make_run():
    cmd = dockerfile_cmd()
    assert cmd[:3] == ["shiny", "run", "app.py"]
    assert cmd[cmd.index("--port") + 1] == "7860"
    makefile = (ROOT / "Makefile").read_text()
    assert "shiny run app.py --host 0.0.0.0 --port $(PORT)" in makefile
    assert re.search(r"^PORT \?= 7860$", makefile, re.MULTILINE)


def test_make_run_and_the_image_both_install_the_figure_browser():
    """Figure export drives Debian's chromium: `make run` installs it, as the image does."""
    makefile = (ROOT / "Makefile").read_text()
    run = re.search(r"^run: (.*)$", makefile, re.MULTILINE)
    assert run and "system-deps" in run.group(1).split()
    deps = makefile.split("\nsystem-deps:", 1)[1].split("\n\n", 1)[0]
    assert "chromium" in deps and "fonts-liberation" in deps and "poppler-utils" in deps
    docker = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    install = re.search(r"^RUN apt-get update .*apt-get install (.*)$", docker, re.MULTILINE)
    wanted = {"chromium", "fonts-liberation", "poppler-utils"}
    assert install and wanted <= set(install.group(1).split())


def test_container_start_command_serves_health_and_page(tmp_path):
    cmd = dockerfile_cmd()
    # The same command, from this venv, on a free port (a developer's `make run` may hold 7860).
    port = free_port()
    cmd[cmd.index("--port") + 1] = str(port)
    cmd[0] = str(Path(sys.executable).with_name("shiny"))
    env = {k: v for k, v in os.environ.items() if k != "MEDSTAT_MEMORY_LIMIT_MB"}
    env.update(dockerfile_env())  # the image's environment, MALLOC_ARENA_MAX included
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/healthz", proc)
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310
            health = json.load(response)
        assert health["status"] == "ok"
        assert 0 < health["memory_pct"] < 100
        with urllib.request.urlopen(base, timeout=5) as response:  # noqa: S310
            page = response.read().decode()
        assert "<title>MedStat</title>" in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_redis_url_without_a_secret_starts_the_app_on_memory_alone(tmp_path):
    """The shared tier refuses to start unsigned; the app says so once and serves anyway."""
    from tests.e2e.conftest import running_app

    log_path = tmp_path / "server.log"
    with running_app(log_path, redis_url="redis://127.0.0.1:1/0", redis_secret="") as app:
        with urllib.request.urlopen(f"{app.url}/healthz", timeout=5) as response:  # noqa: S310
            assert json.load(response)["status"] == "ok"
        log = app.log()
    refused = [line for line in log.splitlines() if "shared cache tier NOT started" in line]
    assert len(refused) == 1 and "MEDSTAT_REDIS_SECRET is not set" in refused[0]
    assert "Traceback" not in log
