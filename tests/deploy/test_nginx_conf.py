"""The nginx configuration `make team` writes is one Debian's nginx accepts, and its answer to
an upload over the limit is worded as the app's own."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from deploy.nginx_conf import Upstream, nginx_conf, too_large_sentence, upstream_block
from utils.upload_limit import too_large_message


def test_debian_nginx_accepts_the_configuration(tmp_path: Path):
    (tmp_path / "temp").mkdir()
    upstream = tmp_path / "upstream.conf"
    upstream.write_text(
        upstream_block([Upstream("127.0.0.1:8001"), Upstream("127.0.0.1:8002", down=True)])
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_conf("127.0.0.1:8080", str(upstream), 50, prefix=str(tmp_path)))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    command = [nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "e.log")]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    text = conf.read_text()
    assert "client_max_body_size 50m;" in text and "proxy_request_buffering off;" in text
    assert "server 127.0.0.1:8002 down;" in upstream.read_text()
    # A tab's requests go on to the next worker when one does not know its session; an upload's
    # body is held by nginx for that (it can be sent again only then).
    session = text.split("location /session/ {", 1)[1].split("}", 1)[0]
    assert "proxy_next_upstream error timeout http_404;" in session
    uploads = text.split("location ~ ^/session/[^/]+/upload/ {", 1)[1].split("}", 1)[0]
    assert "proxy_request_buffering on;" in uploads
    assert "proxy_next_upstream error timeout http_404 non_idempotent;" in uploads
    assert not any(line.startswith("user ") for line in text.splitlines())


def test_nginx_refusal_reads_as_the_app_s_sentence():
    nginx_says = too_large_sentence(50)
    app_says = too_large_message(80 * 2**20, 50 * 2**20)
    assert "the limit of 50 MB" in nginx_says
    # The same advice, word for word, after the part only the app can know (the file's size).
    assert nginx_says.split(". ", 1)[1] == app_says.split(". ", 1)[1]
    # A body with no declared length that goes over: the app's words are nginx's.
    assert too_large_message(None, 50 * 2**20) == nginx_says
