#!/usr/bin/env bash
# make run: every daemon built so far on an embedded SQLite database under
# run/, with a demo user and a welcome message. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
run="$root/run"
mkdir -p "$run"
conf="$run/dbmail.conf"
user=$(id -un)
group=$(id -gn)

IMAP_PORT=${IMAP_PORT:-11143}
POP_PORT=${POP_PORT:-11110}
LMTP_PORT=${LMTP_PORT:-11024}
SIEVE_PORT=${SIEVE_PORT:-14190}

if [ ! -f "$conf" ]; then
  cat > "$conf" <<CONF
# Written by 'make run' (scripts/run.sh). Every key is documented in
# dbmail.conf.sample at the top of the repository.
[DBMAIL]
dburi                 = sqlite://$run/dbmail.db
authdriver            = sql
pid_directory         = $run
logfile               = stderr
file_logging_levels   = notice
syslog_logging_levels = nothing
effective_user        = $user
effective_group       = $group
sendmail              = /bin/false
bindip                = 127.0.0.1

[LMTP]
port = $LMTP_PORT

[IMAP]
port = $IMAP_PORT

[POP]
port = $POP_PORT

[SIEVE]
port = $SIEVE_PORT

[DELIVERY]
SIEVE          = yes
SUBADDRESS     = yes
SIEVE_VACATION = yes
CONF
fi

pwfile="$run/demo-password"
if [ ! -f "$pwfile" ]; then
  head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 12 > "$pwfile"
fi
pw=$(cat "$pwfile")
if ! bin/dbmail-users -f "$conf" -q -l demo >/dev/null 2>&1; then
  bin/dbmail-users -f "$conf" -a demo -w "$pw" -s demo@localhost >/dev/null
  printf 'From: dbmail-go <postmaster@localhost>\r\nTo: demo@localhost\r\nSubject: Welcome to dbmail-go\r\nDate: %s\r\nMessage-ID: <welcome@localhost>\r\n\r\nThis message was delivered by dbmail-deliver into an SQLite database\r\nunder run/. Read it over IMAP or POP3 with the credentials make run printed.\r\n' \
    "$(date -R)" | bin/dbmail-deliver -f "$conf" -u demo
fi

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

echo "dbmail-go is running on an SQLite database: $run/dbmail.db"
for d in lmtpd imapd pop3d timsieved; do
  [ -x "bin/dbmail-$d" ] || continue
  "bin/dbmail-$d" -f "$conf" -D &
  pids+=($!)
done
sleep 1
for d in lmtpd imapd pop3d timsieved; do
  [ -x "bin/dbmail-$d" ] || continue
  case $d in
    lmtpd) echo "  LMTP        127.0.0.1:$LMTP_PORT   (state: echo | socat - UNIX:$run/dbmail-lmtpd.state)" ;;
    imapd) echo "  IMAP        127.0.0.1:$IMAP_PORT" ;;
    pop3d) echo "  POP3        127.0.0.1:$POP_PORT" ;;
    timsieved) echo "  ManageSieve 127.0.0.1:$SIEVE_PORT" ;;
  esac
done
echo "  user: demo   password: $pw   (address demo@localhost)"
echo "  config: $conf   (Ctrl-C stops every daemon)"
wait
