#!/bin/bash
# run-dovecot.sh DIR [PORT] [USERS]
#
# Starts a private Dovecot 2.3 IMAP server (not the system service) for
# imaptest development and side-by-side benchmarks:
#   - listens on 127.0.0.1:PORT (default 10143), plaintext, no SSL
#   - passwd-file auth: testuser/testpass, testuser2/testpass and
#     user1..userUSERS (default 500) with password "pass"
#   - maildir under DIR/mail, config/logs/runtime under DIR
#   - limits raised for 2,000+ concurrent connections
# IMAP_CLIENT_LIMIT (default 1) sets how many sessions one imap process
# serves; raise it (e.g. 50) for thousands of connections.
# Prints the port on stdout. Stop it with: kill "$(cat DIR/run/master.pid)"
# (or: doveadm -c DIR/dovecot.conf stop).
set -eu

dir=${1:?usage: run-dovecot.sh DIR [PORT] [USERS]}
port=${2:-10143}
users=${3:-500}
imap_client_limit=${IMAP_CLIENT_LIMIT:-1}

command -v dovecot >/dev/null 2>&1 || {
	echo "dovecot not installed (apt-get install -y dovecot-imapd)" >&2
	exit 1
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/mail" "$dir/run" "$dir/log"
uid=$(id -u)
gid=$(id -g)
if [ "$uid" = 0 ]; then
	# Dovecot refuses UID 0 for mail access: store mail as "nobody".
	uid=$(id -u nobody)
	gid=$(id -g nobody)
	chown "$uid:$gid" "$dir/mail"
fi

# passwd-file: user:{scheme}password:uid:gid::home::extra
pw="$dir/passwd"
: > "$pw"
printf 'testuser:{PLAIN}testpass:%s:%s::%s/mail/testuser::\n' "$uid" "$gid" "$dir" >> "$pw"
printf 'testuser2:{PLAIN}testpass:%s:%s::%s/mail/testuser2::\n' "$uid" "$gid" "$dir" >> "$pw"
i=1
while [ "$i" -le "$users" ]; do
	printf 'user%d:{PLAIN}pass:%s:%s::%s/mail/user%d::\n' "$i" "$uid" "$gid" "$dir" "$i" >> "$pw"
	i=$((i + 1))
done

internal_user=dovecot
id dovecot >/dev/null 2>&1 || internal_user=$(id -un)
login_user=dovenull
id dovenull >/dev/null 2>&1 || login_user=$(id -un)

cat > "$dir/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/run/state
log_path = $dir/log/dovecot.log
info_log_path = $dir/log/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = $uid
first_valid_gid = $gid
default_internal_user = $internal_user
default_login_user = $login_user
mail_location = maildir:~/Maildir
mail_max_userip_connections = 10000
default_client_limit = 5000
default_process_limit = 2600
default_vsz_limit = 0
shutdown_clients = yes
passdb {
  driver = passwd-file
  args = scheme=PLAIN $pw
}
userdb {
  driver = passwd-file
  args = $pw
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
  client_limit = 5000
  process_min_avail = 2
  service_count = 0
  process_limit = 16
}
service imap {
  process_limit = 2600
  client_limit = $imap_client_limit
}
service anvil {
  client_limit = 10000
}
service auth {
  client_limit = 10000
}
protocol imap {
  mail_max_userip_connections = 10000
}
CONF

mkdir -p "$dir/run/state"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
# Detach from our stdout/stderr so callers reading them see EOF.
if ! dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/log/startup.log" 2>&1; then
	cat "$dir/log/startup.log" >&2
	exit 1
fi

# Wait until the port accepts connections.
n=0
while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
	n=$((n + 1))
	if [ "$n" -gt 50 ]; then
		echo "dovecot did not start; see $dir/log/dovecot.log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "$port"
