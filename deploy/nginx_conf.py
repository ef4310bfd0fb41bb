"""The nginx configuration of the team shape, written by one function for both ways to run it:
`make team` (Debian's nginx as an unprivileged process, paths in a temp dir) and
docker-compose.yml (the official image; `python -m deploy.nginx_conf --compose` prints the file
the compose stack mounts, and a test checks the two stay the same).

Affinity: `hash $cookie_medstat_browser consistent`. The app sets that random HttpOnly cookie on
the first page (utils/browser_cookie.py); the page itself is stateless, so it does not matter
which worker serves it, and the websocket and uploads that follow carry the cookie, so a
browser's session and its uploads meet the same worker. With `consistent` (ketama), a worker
taken out sends only its own browsers elsewhere.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

COOKIE = "medstat_browser"  # utils.browser_cookie.COOKIE (not imported: the balancer needs no app)
UNAVAILABLE = (
    "MedStat is starting or restarting. Wait a minute and reload the page; "
    "the work in your tab is kept."
)


def too_large_sentence(limit_mb: float) -> str:
    """nginx's answer to an upload over its limit, worded as the app's (upload_limit.py)."""
    return (
        f"This file is over the limit of {limit_mb:g} MB. Remove unused columns or rows "
        "(or split the file) and upload it again."
    )


@dataclass(frozen=True)
class Upstream:
    """One worker as nginx sees it; `down` when the supervisor found its /healthz failing."""

    address: str  # host:port
    down: bool = False


def upstream_block(servers: Sequence[Upstream], resolve: bool = False) -> str:
    """The `upstream medstat` block: affinity by the browser cookie.

    `max_fails=0`: a request that finds a worker's port closed still goes on to the next one,
    but nginx does not take the worker out for it (a connection reset under an upload's body
    counted as the worker failing). Taking workers out is the supervisor's, by /healthz."""
    lines = ["upstream medstat {", f"    hash $cookie_{COOKIE} consistent;"]
    if resolve:  # compose: replicas found by Docker's DNS, followed as they come and go
        lines.append("    zone medstat 64k;")
    for server in servers:
        flags = " resolve" if resolve else ""
        flags += " down" if server.down else " max_fails=0"
        lines.append(f"    server {server.address}{flags};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx_conf(
    listen: str,
    upstream_include: str,
    max_upload_mb: float,
    prefix: str = "",
    resolver: str = "",
    user: str = "",
) -> str:
    """nginx.conf: the server in front of the workers. `prefix` holds the pid, logs and temp
    files (an unprivileged nginx); without it, the image's defaults. `user`: the one nginx's
    workers run as when it is started as root (they write uploads into `prefix`)."""
    body = (
        f"{max_upload_mb:g}m"
        if max_upload_mb == int(max_upload_mb)
        else f"{max_upload_mb * 1024:.0f}k"
    )
    top, temps = "", ""
    if prefix:
        top = f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n"
        top = f"user {user};\n{top}" if user else top
        temps = "".join(
            f"    {kind}_temp_path {prefix}/temp/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
    access = f"{prefix}/access.log" if prefix else "/dev/stdout"
    resolver_line = f"    resolver {resolver} valid=5s ipv6=off;\n" if resolver else ""
    return f"""# Written by deploy/nginx_conf.py; see README "Running for a team".
worker_processes 1;
{top}events {{
    worker_connections 4096;
}}
http {{
{temps}    log_format medstat '$remote_addr [$time_local] "$request" $status '
                       '$body_bytes_sent upstream="$upstream_addr" $request_time '
                       '"$http_user_agent"';
    access_log {access} medstat;
{resolver_line}    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    include {upstream_include};
    server {{
        listen {listen};
        # The app's own upload limit: nginx refuses a larger body from its declared length with
        # the app's sentence (were it passed on, the app's early refusal would reset the body's
        # connection, which nginx shows as a 502). Bodies are passed on as they arrive, not
        # spooled (but uploads, below): the app bounds them itself, streaming (disk, stalls).
        client_max_body_size {body};
        proxy_request_buffering off;
        proxy_max_temp_file_size 0;  # nor are large answers (downloads) spooled to disk
        error_page 413 @too_large;
        error_page 502 503 504 @unavailable;
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        # The app takes the client's address from the last entry (MEDSTAT_PROXY_HOPS=1).
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        # A session's websocket is quiet while its user reads; analyses take minutes.
        proxy_read_timeout 3600s;
        proxy_send_timeout 3600s;
        proxy_connect_timeout 5s;
        proxy_next_upstream error timeout;
        location / {{
            proxy_pass http://medstat;
        }}
        # A tab's downloads and uploads name its session, which lives on one worker: after a
        # dead worker returns, a tab that moved away meanwhile keeps its websocket elsewhere
        # while its cookie leads here again. A worker that does not know the session answers
        # 404 (Shiny), and the next worker is tried, at most each once.
        location /session/ {{
            proxy_pass http://medstat;
            proxy_next_upstream error timeout http_404;
        }}
        # An upload is a POST: nginx holds its body (up to client_max_body_size, on disk) to
        # send it again to the next worker.
        location ~ ^/session/[^/]+/upload/ {{
            proxy_pass http://medstat;
            proxy_request_buffering on;
            proxy_next_upstream error timeout http_404 non_idempotent;
        }}
        location @too_large {{
            default_type "text/plain; charset=utf-8";
            return 413 {_quoted(too_large_sentence(max_upload_mb))};
        }}
        location @unavailable {{
            default_type "text/plain; charset=utf-8";
            return 503 {_quoted(UNAVAILABLE)};
        }}
    }}
}}
"""


# docker-compose.yml: `medstat` replicas on Docker's network. The upstream include is written by
# the health service (deploy/compose_health.py) into a volume nginx mounts read-only; the
# resolver is for its fallback (the service's name, when no replica could be found).
COMPOSE_MAX_UPLOAD_MB = 50.0  # the app's default MEDSTAT_MAX_UPLOAD_MB (utils/config.py)
COMPOSE_UPSTREAM = "/etc/nginx/upstream/medstat.conf"  # in nginx's container


def compose_conf() -> str:
    """The file docker-compose.yml mounts as nginx's configuration (deploy/nginx-compose.conf)."""
    return nginx_conf("80", COMPOSE_UPSTREAM, COMPOSE_MAX_UPLOAD_MB, resolver="127.0.0.11")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compose", action="store_true", help="print the compose stack's file")
    parser.parse_args()
    print(compose_conf(), end="")
