"""`make team N=2`: MedStat for a team on one machine, the shape docker-compose.yml runs.

nginx (affinity by the browser cookie, websockets, long timeouts, the upload limit) in front
of N MedStat workers that share one Redis (results; the tabs' saved state). This supervisor
starts them all, prints the URL and then, every second:

- restarts a worker whose process has died (after 1, 2, 4 ... up to 30 s if it keeps dying);
- polls each worker's /healthz: a worker that fails it twice in a row, or is restarting, is
  marked `down` in nginx's upstream (the include is rewritten and nginx reloaded), so new
  sessions go to the others; it is put back once /healthz answers again (deploy/health.py,
  the rule compose's health service applies too). Open-source nginx checks only passively (a
  refused connection), so the active check is ours;
- restarts Redis if it died (the workers carry on in memory meanwhile).

Ctrl-C (or SIGTERM) stops everything it started.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import subprocess
import threading
import time
from pathlib import Path

from deploy.health import healthy, judge, write_upstream
from deploy.nginx_conf import Upstream, nginx_conf
from deploy.processes import (
    Worker,
    free_port,
    reload_nginx,
    start_nginx,
    start_redis,
    wait_for_port,
    worker_env,
)

log = logging.getLogger("medstat.team")
BACKOFF_MAX_S = 30.0
STABLE_S = 60.0  # a worker up this long before it dies starts its backoff afresh
# Every key MedStat writes carries a TTL (results: MEDSTAT_CACHE_TTL_S; a closed tab's state:
# MEDSTAT_SESSION_KEEP_S), so volatile-lru would choose among the same keys; allkeys-lru also
# evicts a key written without one instead of refusing writes. LRU keeps what is in use:
# a live tab's state is written at every change, an old result only when asked for.
REDIS_POLICY = "allkeys-lru"


class Team:
    """The whole shape in `folder`; a context manager that stops all it started."""

    def __init__(
        self,
        folder: Path,
        workers: int = 2,
        port: int = 0,
        host: str = "127.0.0.1",
        worker_mb: float = 1024,
        redis_mb: int = 256,
        max_upload_mb: float = 50,
        secret: str = "",
        settings: dict[str, str] | None = None,
    ) -> None:
        """`settings`: MEDSTAT_* variables for every worker, over the caller's environment."""
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.host = host
        self.redis_mb = redis_mb
        self.max_upload_mb = max_upload_mb
        self.redis_port = free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        secret = secret or secrets.token_urlsafe(24)  # signs shared values (redis_tier.py)
        env = {**worker_env(self.redis_url, secret, worker_mb, max_upload_mb), **(settings or {})}
        self.workers = [
            Worker(i, free_port(), env, self.folder / f"worker{i}.log") for i in range(workers)
        ]
        self.redis: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None
        self.conf = self.folder / "nginx.conf"
        self.upstream = self.folder / "upstream.conf"
        self.reloads = 0

    @property
    def url(self) -> str:
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104
        return f"http://{shown}:{self.port}"

    def start(self, wait_s: float = 90) -> None:
        """Start Redis, the workers and nginx; return once every worker is in the upstream."""
        self.redis = start_redis(self.folder, self.redis_port, self.redis_mb, REDIS_POLICY)
        wait_for_port(self.redis_port, self.redis)
        for worker in self.workers:
            worker.start()
        self._write_upstream([w.down for w in self.workers])
        listen = f"{self.host}:{self.port}"
        # Started as root, nginx would run its workers as `nobody`, who cannot write the
        # uploads it holds into this private folder: they run as root too.
        user = "root" if os.geteuid() == 0 else ""
        self.conf.write_text(
            nginx_conf(
                listen, str(self.upstream), self.max_upload_mb, prefix=str(self.folder), user=user
            )
        )
        self.nginx = start_nginx(self.folder, self.conf)
        wait_for_port(self.port, self.nginx)
        deadline = time.monotonic() + wait_s
        while any(w.down for w in self.workers):
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers did not answer /healthz within {wait_s:g} s")
            self.check()
            time.sleep(0.3)

    def check(self) -> None:
        """One round of the supervisor: restart the dead, take the failing out, put back the
        recovered; rewrite and reload nginx only when the upstream changed."""
        now = time.monotonic()
        before = [w.down for w in self.workers]
        if self.redis is not None and self.redis.poll() is not None:
            log.warning("redis-server exited (%s): restarting it", self.redis.returncode)
            self.redis = start_redis(self.folder, self.redis_port, self.redis_mb, REDIS_POLICY)
        wanted = [self._check_worker(worker, now) for worker in self.workers]
        if wanted != before:
            self._write_upstream(wanted)
            if self.nginx is not None and self.nginx.poll() is None:
                reload_nginx(self.nginx)
                self.reloads += 1
        # `down` says what the upstream file says: set only once it is written (a reader that
        # sees a worker back finds it back in the file too).
        for worker, down in zip(self.workers, wanted, strict=True):
            worker.down = down
        if self.nginx is not None and self.nginx.poll() is not None:
            log.warning("nginx exited (%s): restarting it", self.nginx.returncode)
            self.nginx = start_nginx(self.folder, self.conf)

    def _check_worker(self, worker: Worker, now: float) -> bool:
        """Restart it if it died; whether it should be out of the upstream now."""
        if not worker.alive():
            if worker.proc is not None and worker.restart_at == 0.0:
                if worker.up_since and now - worker.up_since > STABLE_S:
                    worker.deaths = 0  # it had been serving: a new fault, not the same one
                worker.deaths += 1
                # The first death: at once; then 1, 2, 4 ... 30 s while it keeps dying.
                delay = (
                    0.0 if worker.deaths == 1 else min(2.0 ** (worker.deaths - 2), BACKOFF_MAX_S)
                )
                worker.restart_at = now + delay
                worker.up_since = 0.0
                code = worker.proc.returncode
                worker.history.append(f"exited {code}")
                log.warning("worker %d exited (%s): restarting", worker.number, code)
            if now >= worker.restart_at:
                worker.restart_at = 0.0
                worker.start()
                worker.history.append("restarted")
            return True
        down, worker.failed_checks = judge(
            worker.down, worker.failed_checks, healthy(worker.address)
        )
        if worker.down and not down:
            worker.up_since = now
            log.info("worker %d healthy on port %d: in the upstream", worker.number, worker.port)
            worker.history.append("up")
        elif down and not worker.down:
            log.warning("worker %d failed /healthz: out of the upstream", worker.number)
            worker.history.append("down")
        return down

    def _write_upstream(self, downs: list[bool]) -> None:
        servers = [Upstream(w.address, down) for w, down in zip(self.workers, downs, strict=True)]
        write_upstream(self.upstream, servers)

    def supervise(self, stop: threading.Event | None = None, every_s: float = 1.0) -> None:
        """Check every second until `stop` is set (or the process is interrupted)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            self.check()
            stop.wait(every_s)

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: let answers in flight finish
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait(timeout=10)
        for worker in self.workers:
            worker.stop()
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=10)

    def __enter__(self) -> Team:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="MedStat worker processes")
    parser.add_argument("--port", type=int, default=8080, help="the port nginx listens on")
    parser.add_argument("--host", default="127.0.0.1", help="the address nginx listens on")
    parser.add_argument("--worker-mb", type=float, default=1024, help="each worker's budget")
    parser.add_argument("--redis-mb", type=int, default=256, help="Redis maxmemory")
    parser.add_argument("--max-upload-mb", type=float, default=50, help="MEDSTAT_MAX_UPLOAD_MB")
    parser.add_argument("--dir", default="", help="where logs and configs go (a temp dir)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    import tempfile

    folder = Path(args.dir or tempfile.mkdtemp(prefix="medstat-team-"))
    team = Team(
        folder,
        workers=args.workers,
        port=args.port,
        host=args.host,
        worker_mb=args.worker_mb,
        redis_mb=args.redis_mb,
        max_upload_mb=args.max_upload_mb,
    )
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    with team:
        log.info(
            "MedStat for a team at %s: %d workers (%g MB each), Redis %d MB %s; "
            "logs in %s. Ctrl-C stops all.",
            team.url,
            len(team.workers),
            args.worker_mb,
            args.redis_mb,
            REDIS_POLICY,
            folder,
        )
        try:
            team.supervise()
        except KeyboardInterrupt:
            log.info("stopping")


if __name__ == "__main__":
    main()
