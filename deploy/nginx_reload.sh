#!/bin/sh
# nginx of the compose stack (docker-compose.yml), reloaded whenever the health service
# (deploy/compose_health.py) rewrites its upstream include:
#
#   nginx_reload.sh UPSTREAM_FILE nginx -g 'daemon off;' [more nginx arguments]
#
# waits until UPSTREAM_FILE exists, starts nginx in the foreground, and sends it SIGHUP (read the
# configuration again: new requests follow it, open websockets stay where they are) each time
# the file's contents change, looked at every second. SIGQUIT or SIGTERM stop nginx gracefully
# (sh starts a background command with SIGQUIT ignored, but nginx sets its own handlers); the
# script ends with nginx, so the container's restart policy restarts both. Each start and reload
# is logged with the `cksum` of the contents nginx was given, so which version of the file nginx
# follows can be told from the log (compare `cksum < UPSTREAM_FILE`).
set -u
upstream="$1"
shift
if [ ! -s "$upstream" ]; then
    echo "nginx_reload: waiting for $upstream (written by the health service)" >&2
    while [ ! -s "$upstream" ]; do sleep 1; done
fi
last=$(cksum < "$upstream")
echo "nginx_reload: starting nginx with $upstream (cksum $last)" >&2
"$@" &
nginx=$!
trap 'kill -QUIT "$nginx" 2>/dev/null' QUIT TERM INT
while kill -0 "$nginx" 2>/dev/null; do
    sleep 1
    now=$(cksum < "$upstream" 2>/dev/null) || continue
    if [ "$now" != "$last" ]; then
        last=$now
        echo "nginx_reload: $upstream changed (cksum $now): reloading nginx" >&2
        kill -HUP "$nginx" 2>/dev/null
    fi
done
wait "$nginx"
