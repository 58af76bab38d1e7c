#!/bin/bash
# cpu-compare.sh DOVECOT_DIR IMAPTEST_BIN [imaptest args...]
#
# Runs imaptest against the Dovecot started by run-dovecot.sh in
# DOVECOT_DIR and prints the CPU time (user+system) used during the run by
# imaptest (its rusage) and by Dovecot: the master and every process below
# it, including imap processes that ended during the run (the master reaps
# them, so their time is in its cutime/cstime). Example, NOOP-only with 50
# clients:
#   cpu-compare.sh /tmp/dov bin/imaptest host=127.0.0.1 port=10143 \
#     user=user%d pass=pass users=1-500 mbox=FILE clients=50 secs=20 - noop=100
set -eu
dir=${1:?usage: cpu-compare.sh DOVECOT_DIR IMAPTEST_BIN [args...]}
bin=${2:?usage: cpu-compare.sh DOVECOT_DIR IMAPTEST_BIN [args...]}
shift 2
master=$(cat "$dir/run/master.pid")
hz=$(getconf CLK_TCK)

# ticks PID: utime+stime+cutime+cstime (fields 14-17 of /proc/PID/stat).
ticks() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	stat=${stat##*) }
	set -- $stat
	echo $(( ${12} + ${13} + ${14} + ${15} ))
}

# dovecot_ticks: the master plus its direct children (Dovecot services
# are all children of the master).
dovecot_ticks() {
	local sum p
	sum=$(ticks "$master")
	for p in $(ps -e -o pid=,ppid= | awk -v m="$master" '$2 == m { print $1 }'); do
		sum=$(( sum + $(ticks "$p") ))
	done
	echo "$sum"
}

before=$(dovecot_ticks)
# The subshell's "times" reports the CPU of its finished children: imaptest.
cpu=$( ( "$bin" "$@" > "$dir/cpu-compare.out" 2>&1 || true; times ) | tail -n 1)
sleep 2 # let the imap processes of the logged-out clients exit and be reaped
after=$(dovecot_ticks)
tail -n 8 "$dir/cpu-compare.out"
# "times" prints "XmY.YYYs XmY.YYYs" (user system) for the children.
echo "$cpu" | awk '{
	split($1, u, "m"); split($2, s, "m"); sub("s", "", u[2]); sub("s", "", s[2])
	printf "imaptest CPU: %.2f s\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
awk -v t="$(( after - before ))" -v hz="$hz" 'BEGIN { printf "dovecot  CPU: %.2f s\n", t / hz }'
