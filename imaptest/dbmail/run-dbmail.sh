#!/bin/bash
# run-dbmail.sh DIR [PORT] [USERS]
#
# Starts bin/dbmail-imapd (built by `make build`) on a fresh SQLite
# database in DIR for imaptest benchmarks, the counterpart of
# ../dovecot/run-dovecot.sh:
#   - listens on 127.0.0.1:PORT (default 10144), plaintext
#   - users testuser/testpass, testuser2/testpass and user1..userUSERS
#     (default 500) with password "pass"
#   - limits raised for 2,000+ concurrent connections from one address
# Prints the port on stdout; the daemon's PID is in DIR/dbmail-imapd.pid.
# Stop it with: kill "$(cat DIR/dbmail-imapd.pid)"
set -eu

dir=${1:?usage: run-dbmail.sh DIR [PORT] [USERS]}
port=${2:-10144}
users=${3:-500}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/bin
[ -x "$bin/dbmail-imapd" ] && [ -x "$bin/dbmail-users" ] || {
	echo "run 'make build' first ($bin/dbmail-imapd missing)" >&2
	exit 1
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rm -f "$dir/dbmail.db" "$dir/dbmail.db-wal" "$dir/dbmail.db-shm"
conf=$dir/dbmail.conf
cat > "$conf" <<CONF
[DBMAIL]
dburi = sqlite://$dir/dbmail.db
authdriver = sql
pid_directory = $dir
logfile = $dir/dbmail.log
file_logging_levels = warning
syslog_logging_levels = nothing
effective_user = $(id -un)
effective_group = $(id -gn)
max_db_connections = 8
[IMAP]
bindip = 127.0.0.1
port = $port
backlog = 4096
max_connections = 30000
max_connections_per_ip = 30000
max_login_failures = 100000
CONF
"$bin/dbmail-users" -f "$conf" -q -a testuser -w testpass >/dev/null 2>&1
"$bin/dbmail-users" -f "$conf" -q -a testuser2 -w testpass >/dev/null
i=1
while [ "$i" -le "$users" ]; do
	"$bin/dbmail-users" -f "$conf" -q -a "user$i" -w pass >/dev/null
	i=$((i + 1))
done

# 2,000 clients need 2,000+ descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
nohup "$bin/dbmail-imapd" -f "$conf" -D -p "$dir/dbmail-imapd.pid" >"$dir/stderr.log" 2>&1 &
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
	echo "dbmail-imapd did not start; see $dir/stderr.log and $dir/dbmail.log" >&2
	exit 1
}
echo "$port"
