#!/usr/bin/env bash
# The whole suite on SQLite (at the default test instant, then at two awkward ones) and on
# PostgreSQL, plus lint and deploy checks.
# System packages the tests need are installed where possible; what cannot be had is reported
# loudly and, under CI (CI=true), fails the run instead of being skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
CI=${CI:-false}
failures=()
skipped=()

say() { printf '\n=== %s\n' "$*"; }
loud() { printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!!! %s\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' "$*" >&2; }

apt_install() {
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    say "Installing system packages: $*"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@") >/tmp/spkt-apt.log 2>&1 \
      || { tail -5 /tmp/spkt-apt.log; return 1; }
  else
    return 1
  fi
}

# --- Chromium for the browser tests -------------------------------------------------------------
export SPKT_CHROMIUM=${SPKT_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$SPKT_CHROMIUM" ]; then
  apt_install chromium || true
fi
if [ ! -x "$SPKT_CHROMIUM" ]; then
  if [ "$CI" = "true" ]; then
    loud "chromium is missing and could not be installed: browser tests cannot run (CI fails)."
    exit 1
  fi
  loud "SKIPPING browser tests: $SPKT_CHROMIUM is missing and could not be installed."
  skipped+=("browser tests (no chromium)")
  export SPKT_SKIP_BROWSER=1
fi

# --- Dovecot for the email tests (a real IMAP server; the SMTP side is aiosmtpd, from pip) ------
have_dovecot() { command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ]; }
if ! have_dovecot; then
  apt_install dovecot-imapd || true
fi
if ! have_dovecot; then
  if [ "$CI" = "true" ]; then
    loud "dovecot (Debian package dovecot-imapd) is missing and could not be installed: email tests cannot run (CI fails)."
    exit 1
  fi
  loud "SKIPPING email tests: dovecot (Debian package dovecot-imapd) is missing and could not be installed."
  skipped+=("email tests (no dovecot)")
  export SPKT_SKIP_MAIL=1
fi

# --- gammu-smsd for the SMS modem tests (Debian's daemon with Gammu's dummy phone driver) -------
have_gammu() { command -v gammu-smsd >/dev/null || [ -x /usr/bin/gammu-smsd ]; }
if ! have_gammu; then
  apt_install gammu-smsd || true
fi
if ! have_gammu; then
  if [ "$CI" = "true" ]; then
    loud "gammu-smsd (Debian package gammu-smsd) is missing and could not be installed: SMS modem tests cannot run (CI fails)."
    exit 1
  fi
  loud "SKIPPING SMS modem tests: gammu-smsd (Debian package gammu-smsd) is missing and could not be installed."
  skipped+=("SMS modem tests (no gammu-smsd)")
  export SPKT_SKIP_GAMMU=1
fi

# --- nginx and Redis for the fault drill (the cluster of scripts/cluster.sh) ---------------------
have_nginx() { [ -x /usr/sbin/nginx ]; }
if ! have_nginx; then
  apt_install nginx || true
fi
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
drill=yes
if ! have_nginx || ! redis_up; then
  if [ "$CI" = "true" ]; then
    loud "nginx (Debian package nginx) or Redis on 127.0.0.1:6379 is missing: the fault drill cannot run (CI fails)."
    exit 1
  fi
  loud "SKIPPING the fault drill: nginx (Debian package nginx) or Redis on 127.0.0.1:6379 is missing."
  skipped+=("fault drill (no nginx or Redis)")
  drill=no
fi

# --- Lint and migrations --------------------------------------------------------------------------
say "ruff"
.venv/bin/ruff check . || failures+=("ruff")
say "mypy (types, docs/adr/0048-types.md)"
.venv/bin/mypy || failures+=("mypy")
say "import layers (ADR 0047)"
.venv/bin/lint-imports || failures+=("import layers")
say "migrations are up to date"
SPKT_ENV=test $PY manage.py makemigrations --check --dry-run || failures+=("makemigrations --check")

# --- Production settings pass Django's deploy checks -------------------------------------------------
say "manage.py check --deploy (production settings)"
SPKT_ENV=prod DJANGO_SECRET_KEY="ci-$(head -c 32 /dev/urandom | base64 | tr -d '/+=')-deploy-check-key" \
  DJANGO_ALLOWED_HOSTS=spkt.example.test DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
  SPKT_NIK_ENCRYPTION_KEYS="$($PY -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
  SPKT_NIK_HASH_KEY=ci-hash-key SPKT_PUBLIC_BASE_URL=https://spkt.example.test SPKT_VAR_DIR=/tmp/spkt-deploy-check \
  $PY manage.py check --deploy --fail-level WARNING || failures+=("check --deploy")

# --- The suite on SQLite --------------------------------------------------------------------------
say "pytest on SQLite"
env -u DATABASE_URL $PY -m pytest -q "$@" || failures+=("pytest (SQLite)")

# --- The SQLite suite again at awkward instants ---------------------------------------------------
# Every test starts at the instant SPKT_TEST_NOW names (spkt/conftest.py freezes the process clock
# with time-machine, our equivalent of faketime), so the suite is green whatever the hour it runs.
# Half a minute before New Year in WITA (browser tests tick across midnight); then a minute before
# the 08:00 shift change on New Year's Day, when UTC is still on 31 December of the old year, on a
# host whose own time zone is far away (TZ), so nothing may depend on the machine's zone.
NYE=2026-12-31T23:59:30+08:00
say "pytest on SQLite at $NYE"
SPKT_TEST_NOW=$NYE env -u DATABASE_URL $PY -m pytest -q "$@" || failures+=("pytest (SQLite, $NYE)")
SHIFT_CHANGE=2027-01-01T07:59:30+08:00
say "pytest on SQLite at $SHIFT_CHANGE, host TZ=America/Los_Angeles"
TZ=America/Los_Angeles SPKT_TEST_NOW=$SHIFT_CHANGE env -u DATABASE_URL $PY -m pytest -q "$@" \
  || failures+=("pytest (SQLite, $SHIFT_CHANGE, TZ=America/Los_Angeles)")

# --- The suite on PostgreSQL ----------------------------------------------------------------------
PG_URL=${SPKT_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if ! pg_up && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  sleep 2
fi
if ! pg_up && ! command -v pg_isready >/dev/null; then
  apt_install postgresql-client >/dev/null 2>&1 || true
fi
if pg_up; then
  say "pytest on PostgreSQL ($PG_URL)"
  DATABASE_URL=$PG_URL $PY -m pytest -q "$@" || failures+=("pytest (PostgreSQL)")
  if [ "$drill" = yes ]; then
    # Faults under load through the cluster (nginx, 2 app servers, 2 consumers, 2 clocks): about 3 min.
    say "fault drill (scripts/fault_drill.py)"
    $PY scripts/fault_drill.py || failures+=("fault drill")
  fi
else
  if [ "$CI" = "true" ]; then
    loud "PostgreSQL is not reachable on 127.0.0.1:5432: the PostgreSQL run cannot happen (CI fails)."
    failures+=("PostgreSQL unavailable")
  else
    loud "SKIPPING the PostgreSQL run: nothing answers on 127.0.0.1:5432."
    skipped+=("the whole PostgreSQL run")
  fi
fi

say "summary"
for s in "${skipped[@]}"; do echo "SKIPPED: $s"; done
if [ ${#failures[@]} -gt 0 ]; then
  for f in "${failures[@]}"; do echo "FAILED: $f"; done
  exit 1
fi
echo "make test: everything passed${skipped:+ (with skips above)}"
