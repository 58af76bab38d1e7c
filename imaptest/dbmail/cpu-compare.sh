#!/bin/bash
# cpu-compare.sh SERVER_PID IMAPTEST_BIN [imaptest args...]
#
# Runs imaptest against an IMAP server process (dbmail-imapd started by
# run-dbmail.sh: SERVER_PID is in DIR/dbmail-imapd.pid) and prints the
# CPU time (user+system) used during the run by imaptest (its rusage) and
# by the server process (utime+stime+cutime+cstime of /proc/PID/stat), and
# both per operation. Example, NOOP-only with 50 clients:
#   cpu-compare.sh "$(cat /tmp/db/dbmail-imapd.pid)" bin/imaptest \
#     host=127.0.0.1 port=10144 user=user%d pass=pass users=1-500 \
#     mbox=FILE clients=50 secs=20 - noop=100
# The run's output is kept in $TMPDIR/cpu-compare.PID.out.
set -eu
pid=${1:?usage: cpu-compare.sh SERVER_PID IMAPTEST_BIN [args...]}
bin=${2:?usage: cpu-compare.sh SERVER_PID IMAPTEST_BIN [args...]}
shift 2
hz=$(getconf CLK_TCK)
out=${TMPDIR:-/tmp}/cpu-compare.$pid.out

# ticks: utime+stime+cutime+cstime (fields 14-17 of /proc/PID/stat).
ticks() {
	local stat
	stat=$(cat "/proc/$pid/stat") || { echo "no process $pid" >&2; exit 1; }
	stat=${stat##*) }
	set -- $stat
	echo $(( ${12} + ${13} + ${14} + ${15} ))
}

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
before=$(ticks)
# The subshell's "times" reports the CPU of its finished children: imaptest.
cpu=$( ( "$bin" "$@" > "$out" 2>&1 || true; times ) | tail -n 1)
after=$(ticks)
tail -n 8 "$out"
# Operations: the "all" line of the report's table.
ops=$(awk '$1 == "all" { t = $2 } END { print t + 0 }' "$out")
# "times" prints "XmY.YYYs XmY.YYYs" (user system) for the children.
echo "$cpu" | awk -v ops="$ops" '{
	split($1, u, "m"); split($2, s, "m"); sub("s", "", u[2]); sub("s", "", s[2])
	c = u[1] * 60 + u[2] + s[1] * 60 + s[2]
	printf "imaptest CPU: %.2f s", c
	if (ops > 0) printf " (%.1f us/op)", c * 1e6 / ops
	printf "\n" }'
awk -v t="$(( after - before ))" -v hz="$hz" -v ops="$ops" 'BEGIN {
	c = t / hz
	printf "server   CPU: %.2f s", c
	if (ops > 0) printf " (%.1f us/op)", c * 1e6 / ops
	printf "\n" }'
