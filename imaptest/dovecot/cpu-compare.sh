#!/bin/bash
# cpu-compare.sh DOVECOT_DIR IMAPTEST_BIN [imaptest args...]
#
# Runs imaptest against the Dovecot started by run-dovecot.sh in
# DOVECOT_DIR and prints the CPU time (user+system, from /proc/PID/stat)
# used during the run by imaptest and by all Dovecot processes (the
# master's process tree). Example, a NOOP-only run with 50 clients:
#   cpu-compare.sh /tmp/dov bin/imaptest host=127.0.0.1 port=10143 \
#     user=user%d pass=pass users=1-500 mbox=FILE clients=50 secs=20 - noop=100
set -eu
dir=${1:?usage: cpu-compare.sh DOVECOT_DIR IMAPTEST_BIN [args...]}
bin=${2:?usage: cpu-compare.sh DOVECOT_DIR IMAPTEST_BIN [args...]}
shift 2
master=$(cat "$dir/run/master.pid")
hz=$(getconf CLK_TCK)

# ticks PID: utime+stime of one process (fields 14 and 15).
ticks() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	stat=${stat##*) }
	set -- $stat
	echo $(( ${12} + ${13} ))
}

# tree_ticks: ticks of every process whose ancestry leads to the master,
# as "pid ticks" lines.
tree_ticks() {
	local pids p
	pids=$(ps -e -o pid=,ppid= | awk -v m="$master" '
		{ parent[$1] = $2 }
		END { for (p in parent) { q = p; while (q != "" && q != 0 && q != 1) { if (q == m) { print p; break } q = parent[q] } } }')
	for p in $pids; do
		echo "$p $(ticks "$p")"
	done
}

before=$(tree_ticks)
"$bin" "$@" > "$dir/cpu-compare.out" 2>&1 &
tpid=$!
last_t=0
after=""
while kill -0 "$tpid" 2>/dev/null; do
	t=$(ticks "$tpid")
	[ "$t" -gt 0 ] && last_t=$t
	after=$(tree_ticks)
	sleep 0.5
done
wait "$tpid" || true
# Dovecot processes that existed before count only their increase.
dov=$(printf '%s\n' "$after" | awk -v before="$before" '
	BEGIN { n = split(before, b, "\n"); for (i = 1; i <= n; i++) { split(b[i], f, " "); base[f[1]] = f[2] } }
	NF == 2 { sum += $2 - (($1 in base) ? base[$1] : 0) }
	END { print sum + 0 }')
tail -n 20 "$dir/cpu-compare.out"
echo "imaptest CPU: $(awk -v t="$last_t" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }') s"
echo "dovecot  CPU: $(awk -v t="$dov" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }') s"
