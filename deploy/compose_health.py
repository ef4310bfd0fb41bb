"""The compose stack's health service (docker-compose.yml `health`): what `make team`'s
supervisor does for nginx, for containers.

Docker restarts only a container that exits and open-source nginx notices only refused or
timed-out connections, so a worker that is alive but stuck would keep getting sessions. Every
second this finds the workers (Docker's DNS returns every replica of the service), polls each
one's /healthz with the rule team.py applies (deploy/health.py: out after two failures in a
row, back on the first answer) and writes nginx's upstream include into the volume it shares
with nginx; nginx's container reloads when the file changes (deploy/nginx_reload.sh).

    python -m deploy.compose_health --service medstat:7860 --upstream /run/upstream/medstat.conf
    python -m deploy.compose_health --workers 127.0.0.1:8001,127.0.0.1:8002 --upstream FILE
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from deploy.health import healthy, judge, write_upstream
from deploy.nginx_conf import Upstream

log = logging.getLogger("medstat.health")


def replicas(service: str) -> list[str]:
    """host:port of every replica Docker's DNS knows for `service` (name:port)."""
    host, port = service.rsplit(":", 1)
    infos = socket.getaddrinfo(host, int(port), socket.AF_INET, socket.SOCK_STREAM)
    return sorted({f"{info[4][0]}:{port}" for info in infos})


class HealthRouter:
    """The workers' standing and the upstream file that says it."""

    def __init__(self, upstream: Path, find: Callable[[], list[str]], fallback: str = "") -> None:
        """`find` lists the workers now; `fallback`, a name nginx resolves itself, is written
        when none can be found (nginx then follows the name, without health routing)."""
        self.upstream = Path(upstream)
        self.find = find
        self.fallback = fallback
        self.standing: dict[str, tuple[bool, int]] = {}  # address -> (down, failures in a row)
        self.writes = 0

    def check(self) -> None:
        """One round: find the workers, poll them all at once, rewrite the file if it changed."""
        try:
            addresses = sorted(set(self.find()))
        except OSError as exc:  # the name did not resolve: keep routing as it was
            log.warning("workers not found (%s): the upstream stays as it is", exc)
            addresses = sorted(self.standing)
        if not addresses:
            self._write([Upstream(self.fallback)] if self.fallback else [], resolve=True)
            self.standing = {}
            return
        with ThreadPoolExecutor(max_workers=min(len(addresses), 16)) as pool:
            answers = dict(zip(addresses, pool.map(healthy, addresses), strict=True))
        standing = {}
        for address in addresses:
            before = self.standing.get(address, (True, 0))  # new: out until it answers
            standing[address] = judge(*before, answers[address])
            if before[0] and not standing[address][0]:
                log.info("worker %s healthy: in the upstream", address)
            elif standing[address][0] and not before[0]:
                log.warning("worker %s failed /healthz: out of the upstream", address)
        for gone in set(self.standing) - set(standing):
            log.info("worker %s no longer found: out of the upstream", gone)
        self._write([Upstream(a, standing[a][0]) for a in addresses])
        self.standing = standing  # after the file: a reader that sees a change finds it there

    def _write(self, servers: list[Upstream], resolve: bool = False) -> None:
        if servers and write_upstream(self.upstream, servers, resolve=resolve):
            self.writes += 1

    def run(self, stop: threading.Event | None = None, every_s: float = 1.0) -> None:
        stop = stop or threading.Event()
        while not stop.is_set():
            self.check()
            stop.wait(every_s)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    found = parser.add_mutually_exclusive_group(required=True)
    found.add_argument("--service", help="name:port whose replicas Docker's DNS returns")
    found.add_argument("--workers", help="host:port,host:port (instead of --service)")
    parser.add_argument("--upstream", required=True, help="the include nginx reads")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between rounds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.service:
        router = HealthRouter(args.upstream, lambda: replicas(args.service), args.service)
    else:
        given = [w.strip() for w in args.workers.split(",") if w.strip()]
        router = HealthRouter(args.upstream, lambda: given)
    log.info("polling /healthz every %g s; upstream in %s", args.every, args.upstream)
    # As PID 1 of its container, SIGTERM (docker stop) would be ignored without a handler.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    try:
        router.run(every_s=args.every)
    except KeyboardInterrupt:
        log.info("stopping")


if __name__ == "__main__":
    main()
