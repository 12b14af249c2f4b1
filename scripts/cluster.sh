#!/usr/bin/env bash
# A production-shaped SPKT on this machine: nginx in front of 2 app servers (gunicorn), 2 Huey
# consumers on Redis and 2 intake clocks (one leads, spkt.core.leader), against the local
# PostgreSQL and Redis, sharing one media directory. For trying the layout and for the fault test.
#
#   scripts/cluster.sh start      create/migrate the database, then start everything
#   scripts/cluster.sh stop       stop everything
#   scripts/cluster.sh status     what runs, with pids
#   scripts/cluster.sh kill NAME  kill -9 one process (web1, web2, worker1, worker2, clock1, clock2)
#   scripts/cluster.sh restart NAME
#   scripts/cluster.sh env        the cluster's environment (KEY=value lines), for its tools
#
# Settings (environment): SPKT_CLUSTER_DB (default postgres://postgres@127.0.0.1:5432/spkt_cluster),
# SPKT_CLUSTER_REDIS (redis://127.0.0.1:6379/3), SPKT_CLUSTER_PORT (8100; app servers on +1, +2),
# SPKT_CLUSTER_DIR (var/cluster), SPKT_CLUSTER_SEED (1: load the demo data on start).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=$ROOT/.venv/bin/python
DIR=${SPKT_CLUSTER_DIR:-$ROOT/var/cluster}
PORT=${SPKT_CLUSTER_PORT:-8100}
DB=${SPKT_CLUSTER_DB:-postgres://postgres@127.0.0.1:5432/spkt_cluster}
REDIS=${SPKT_CLUSTER_REDIS:-redis://127.0.0.1:6379/3}
NGINX=${SPKT_NGINX:-/usr/sbin/nginx}
NAMES=(web1 web2 worker1 worker2 clock1 clock2)

env_file() {
  # Production settings with keys made once for this cluster directory (never real keys).
  mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/nginx-tmp" "$DIR/var"
  if [ ! -f "$DIR/env" ]; then
    "$PY" - "$DIR/env" <<'PYEOF'
import secrets, sys
from cryptography.fernet import Fernet
with open(sys.argv[1], "w") as f:
    f.write(f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n")
    f.write(f"SPKT_NIK_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n")
    f.write(f"SPKT_NIK_HASH_KEY={secrets.token_urlsafe(32)}\n")
PYEOF
  fi
  set -a
  # shellcheck disable=SC1091
  . "$DIR/env"
  SPKT_ENV=prod
  DATABASE_URL=$DB
  SPKT_REDIS_URL=$REDIS
  SPKT_VAR_DIR=$DIR/var
  DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
  DJANGO_SECURE_SSL_REDIRECT=false
  SPKT_PUBLIC_BASE_URL=http://127.0.0.1:$PORT
  SPKT_TRUSTED_PROXIES=${SPKT_TRUSTED_PROXIES:-1}
  SPKT_SECOND_FACTOR=${SPKT_SECOND_FACTOR:-false}
  set +a
}

pidfile() { echo "$DIR/pids/$1.pid"; }
alive() { [ -f "$(pidfile "$1")" ] && kill -0 "$(cat "$(pidfile "$1")")" 2>/dev/null; }

launch() {
  local name=$1
  if alive "$name"; then return; fi
  case $name in
    web1) set -- "$ROOT/.venv/bin/gunicorn" -c "$ROOT/deploy/gunicorn.conf.py" \
            --bind "127.0.0.1:$((PORT + 1))" config.wsgi:application ;;
    web2) set -- "$ROOT/.venv/bin/gunicorn" -c "$ROOT/deploy/gunicorn.conf.py" \
            --bind "127.0.0.1:$((PORT + 2))" config.wsgi:application ;;
    worker1) set -- "$PY" manage.py run_huey ;;
    worker2) set -- "$PY" manage.py run_huey --no-periodic ;;  # periodic tasks on one consumer
    clock1|clock2) set -- "$PY" manage.py intake_clock --interval 5 ;;
    *) echo "unknown process: $name" >&2; exit 2 ;;
  esac
  nohup "$@" >>"$DIR/logs/$name.log" 2>&1 &
  echo $! >"$(pidfile "$name")"
}

nginx_start() {
  local upstreams="        server 127.0.0.1:$((PORT + 1)) max_fails=1 fail_timeout=5s;
        server 127.0.0.1:$((PORT + 2)) max_fails=1 fail_timeout=5s;"
  "$PY" - "$ROOT/deploy/nginx.conf.template" "$DIR/nginx.conf" "$DIR" "$PORT" "$upstreams" <<'PYEOF'
import sys
src, dst, var, port, upstreams = sys.argv[1:]
text = open(src).read().replace("@VAR@", var).replace("@PORT@", port).replace("@UPSTREAMS@", upstreams)
open(dst, "w").write(text)
PYEOF
  for d in body proxy fastcgi uwsgi scgi; do mkdir -p "$DIR/nginx-tmp/$d"; done
  if [ -f "$DIR/nginx.pid" ] && kill -0 "$(cat "$DIR/nginx.pid")" 2>/dev/null; then return; fi
  "$NGINX" -c "$DIR/nginx.conf" -p "$DIR" -e "$DIR/logs/nginx-error.log"
}

wait_http() {
  local url=$1
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "not answering: $url" >&2
  return 1
}

start() {
  [ -x "$NGINX" ] || { echo "nginx is missing (Debian package nginx); make test installs it" >&2; exit 1; }
  env_file
  local name=${DB##*/}
  if ! psql "${DB%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1; then
    psql "${DB%/*}/postgres" -qc "CREATE DATABASE \"$name\""
  fi
  "$PY" manage.py migrate --noinput -v0
  "$PY" manage.py collectstatic --noinput -v0
  if [ "${SPKT_CLUSTER_SEED:-1}" = "1" ]; then "$PY" manage.py seed_demo >/dev/null; fi
  for n in "${NAMES[@]}"; do launch "$n"; done
  nginx_start
  wait_http "http://127.0.0.1:$((PORT + 1))/masuk/"
  wait_http "http://127.0.0.1:$((PORT + 2))/masuk/"
  wait_http "http://127.0.0.1:$PORT/masuk/"
  echo "SPKT cluster: http://127.0.0.1:$PORT (nginx) -> app servers :$((PORT + 1)) :$((PORT + 2));"
  echo "  2 consumers, 2 clocks; logs in $DIR/logs; stop with: scripts/cluster.sh stop"
}

stop() {
  if [ -f "$DIR/nginx.pid" ]; then
    kill "$(cat "$DIR/nginx.pid")" 2>/dev/null || true
    rm -f "$DIR/nginx.pid"
  fi
  for n in "${NAMES[@]}"; do
    if alive "$n"; then
      # SIGINT lets the clock release its locks (docs/deployment.md section 6).
      kill -INT "$(cat "$(pidfile "$n")")" 2>/dev/null || true
    fi
  done
  for _ in $(seq 1 50); do
    local left=0
    for n in "${NAMES[@]}"; do alive "$n" && left=1; done
    [ $left = 0 ] && break
    sleep 0.2
  done
  for n in "${NAMES[@]}"; do
    alive "$n" && kill -9 "$(cat "$(pidfile "$n")")" 2>/dev/null || true
    rm -f "$(pidfile "$n")"
  done
  echo "SPKT cluster stopped."
}

status() {
  for n in "${NAMES[@]}"; do
    if alive "$n"; then echo "$n: running (pid $(cat "$(pidfile "$n")"))"; else echo "$n: stopped"; fi
  done
  if [ -f "$DIR/nginx.pid" ] && kill -0 "$(cat "$DIR/nginx.pid")" 2>/dev/null; then
    echo "nginx: running (pid $(cat "$DIR/nginx.pid"))"
  else
    echo "nginx: stopped"
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  kill) alive "$2" && kill -9 "$(cat "$(pidfile "$2")")"; rm -f "$(pidfile "$2")" ;;
  restart) env_file; launch "$2" ;;
  env) env_file >/dev/null; for v in DJANGO_SECRET_KEY SPKT_NIK_ENCRYPTION_KEYS SPKT_NIK_HASH_KEY \
         SPKT_ENV DATABASE_URL SPKT_REDIS_URL SPKT_VAR_DIR DJANGO_ALLOWED_HOSTS \
         DJANGO_SECURE_SSL_REDIRECT SPKT_PUBLIC_BASE_URL SPKT_TRUSTED_PROXIES SPKT_SECOND_FACTOR; do
         echo "$v=${!v}"; done ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
