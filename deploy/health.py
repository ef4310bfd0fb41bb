"""Which workers nginx may send new sessions to, by their /healthz: the one rule both ways to run
the team shape apply (`make team`'s supervisor, deploy/team.py, and the compose stack's health
service, deploy/compose_health.py), and the upstream file they write for nginx.

Open-source nginx notices only a refused or timed-out connection; a worker that is alive but
stuck (its /healthz not answering) would keep its browsers waiting. The rule: out after
FAILED_CHECKS failures in a row, back on the first answer; a worker not yet seen answering
starts out.
"""

from __future__ import annotations

import os
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from deploy.nginx_conf import Upstream, upstream_block

FAILED_CHECKS = 2  # consecutive /healthz failures before a worker is taken out
HEALTHZ_TIMEOUT_S = 2.0


def healthy(address: str, timeout_s: float = HEALTHZ_TIMEOUT_S) -> bool:
    """Whether the worker at host:port answers /healthz with 200 in time."""
    url = f"http://{address}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310 (http only)
            return response.status == 200
    except OSError:
        return False


def judge(down: bool, failed_checks: int, answered: bool) -> tuple[bool, int]:
    """A worker's next standing from one /healthz poll: (down, failures in a row)."""
    if answered:
        return False, 0
    failed_checks += 1
    return down or failed_checks >= FAILED_CHECKS, failed_checks


def write_upstream(path: Path, servers: Sequence[Upstream], resolve: bool = False) -> bool:
    """Write nginx's upstream include, whole or not at all (nginx, or the script that reloads it,
    may read it at any moment); whether its text changed."""
    text = upstream_block(servers, resolve=resolve)
    path = Path(path)
    try:
        if path.read_text() == text:
            return False
    except FileNotFoundError:
        pass
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upstream-")
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # nginx's workers may run as another user
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
