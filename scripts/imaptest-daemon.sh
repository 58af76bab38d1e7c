#!/usr/bin/env bash
# imaptest-daemon.sh [BACKEND]: start bin/dbmail-imapd on a fresh database
# (sqlite, or postgresql/mysql from DBMAIL_TEST_PG/DBMAIL_TEST_MYSQL), add the
# users the imaptest scripts and the stress run use, and run
# imaptest/ci.sh (every shared script, then a 20 s stress run with 50
# clients that must report 0 errors).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
work=$(mktemp -d /tmp/imaptest.XXXXXX)
dbname="dbmailimaptest_$$"
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  case $backend in
    postgresql) psql "${DBMAIL_TEST_PG%/*}/postgres" -qc "DROP DATABASE IF EXISTS $dbname" >/dev/null 2>&1 || true ;;
    mysql) mysql -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $dbname" >/dev/null 2>&1 || true ;;
  esac
  rm -rf "$work"
}
trap cleanup EXIT
case $backend in
  sqlite) uri="sqlite://$work/dbmail.db" ;;
  postgresql)
    psql "${DBMAIL_TEST_PG%/*}/postgres" -qc "CREATE DATABASE $dbname" >/dev/null
    uri="${DBMAIL_TEST_PG%/*}/$dbname" ;;
  mysql)
    mysql -h127.0.0.1 -uroot -e "CREATE DATABASE $dbname"
    uri="${DBMAIL_TEST_MYSQL%/*}/$dbname" ;;
  *) echo "unknown backend $backend" >&2; exit 2 ;;
esac
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
conf="$work/dbmail.conf"
cat > "$conf" <<CONF
[DBMAIL]
dburi = $uri
authdriver = sql
pid_directory = $work
logfile = $work/dbmail.log
file_logging_levels = warning
syslog_logging_levels = nothing
effective_user = $(id -un)
effective_group = $(id -gn)
max_db_connections = 8
[IMAP]
bindip = 127.0.0.1
port = $port
max_connections_per_ip = 5000
max_login_failures = 1000
CONF
bin/dbmail-users -f "$conf" -q -a testuser -w testpass >/dev/null
bin/dbmail-users -f "$conf" -q -a testuser2 -w testpass >/dev/null
for i in $(seq 1 50); do bin/dbmail-users -f "$conf" -q -a "user$i" -w pass >/dev/null; done
bin/dbmail-imapd -f "$conf" -D &
pid=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
echo "== dbmail-imapd on $backend, 127.0.0.1:$port"
# "move" expects per-mailbox UIDs; DBMail's UIDs are one database-wide
# sequence (spec 2.14), which a drop-in must keep (docs/architecture.md).
IMAPTEST_EXCLUDE=${IMAPTEST_EXCLUDE-move} imaptest/ci.sh bin/imaptest 127.0.0.1 "$port" testuser testpass testuser2 'user%d' pass
