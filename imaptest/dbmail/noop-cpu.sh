#!/bin/bash
# noop-cpu.sh [IMAPTEST_BIN]
#
# The "imaptest is never the bottleneck" measurement against dbmail-imapd:
# starts bin/dbmail-imapd on a fresh SQLite database (run-dbmail.sh, users
# user1..user500), then runs a 20-second NOOP-only stress with 50 and with
# 2,000 clients, each under `flock /tmp/bench.lock` (LOCK= overrides the
# command), and prints the CPU of imaptest and of the server for each
# (cpu-compare.sh). 2,000 clients log in over 5 s (rampup=5): a burst of
# 2,000 simultaneous LOGINs overflows dbmail-imapd's worker queue, which
# answers NO [UNAVAILABLE] (its admission control, not a fault).
# Needs `make build`; IMAPTEST_BIN defaults to bin/imaptest.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/bin/imaptest}
work=$(mktemp -d /tmp/noopcpu.XXXXXX)
cleanup() {
	[ -f "$work/dbmail-imapd.pid" ] && kill "$(cat "$work/dbmail-imapd.pid")" 2>/dev/null
	sleep 0.5
	rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$here/run-dbmail.sh" "$work" "$port" 500 >/dev/null
pid=$(cat "$work/dbmail-imapd.pid")
# 200 real messages (the stress mode needs an mbox even when it appends none).
find "$root/../shared/corpus/ham" -name '*.eml' | sort | head -n 200 | xargs cat > "$work/m.mbox"
lock=${LOCK-flock /tmp/bench.lock}
for n in 50 2000; do
	ramp=0
	[ "$n" -gt 1000 ] && ramp=5
	echo "== NOOP only, $n clients, dbmail-imapd pid $pid"
	$lock "$here/cpu-compare.sh" "$pid" "$bin" host=127.0.0.1 port="$port" \
		user=user%d pass=pass users=1-500 mbox="$work/m.mbox" \
		clients="$n" secs=20 rampup="$ramp" - noop=100
done
