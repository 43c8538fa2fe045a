#!/usr/bin/env bash
# A private MariaDB server for the tests: its own data dir, a Unix socket, no TCP, no
# system service. ctest starts it as a fixture and stops it afterwards (also when tests fail).
#
#   tests/mariadb-server.sh start|stop|kill|restart|dsn DIR
#
# start   initialise DIR on first use, start mariadbd, create the test account
# stop    shut the server down cleanly          kill  SIGKILL it (fault tests)
# dsn     print the DSN the tests use: the account may create databases named ibm_test_*
set -euo pipefail

cmd=${1:?usage: $0 start|stop|kill|restart|dsn DIR}
dir=$(realpath -m "${2:?usage: $0 $cmd DIR}")
sock="$dir/mysqld.sock"
pidfile="$dir/mysqld.pid"
user=ibm_test
password=ibm-test-only

find_bin() { command -v "$1" 2>/dev/null || { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1"; } || { echo "missing $1: run tools/setup-debian.sh" >&2; exit 1; }; }

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

admin() { "$(find_bin mariadb)" --no-defaults --protocol=socket --socket="$sock" -uroot "$@"; }

start() {
  mkdir -p "$dir"
  if running; then return 0; fi
  local os_user; os_user=$(id -un)
  if [ ! -d "$dir/data/mysql" ]; then
    "$(find_bin mariadb-install-db)" --no-defaults --datadir="$dir/data" --user="$os_user" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 \
      || { cat "$dir/install.log" >&2; exit 1; }
  fi
  "$(find_bin mariadbd)" --no-defaults --datadir="$dir/data" --socket="$sock" --pid-file="$pidfile" \
    --skip-networking --user="$os_user" --log-error="$dir/error.log" \
    --innodb-buffer-pool-size=128M --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_bin --max-connections=500 \
    </dev/null >"$dir/mariadbd.out" 2>&1 &
  for _ in $(seq 1 300); do
    if admin -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  admin -e 'SELECT 1' >/dev/null || { echo "mariadbd did not start; see $dir/error.log" >&2; tail -20 "$dir/error.log" >&2; exit 1; }
  # A fresh data dir has anonymous accounts that shadow 'user'@'%' on localhost.
  admin <<SQL
DELETE FROM mysql.global_priv WHERE User='';
FLUSH PRIVILEGES;
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`ibm\_test%\`.* TO '$user'@'localhost';
CREATE DATABASE IF NOT EXISTS ibm_test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
SQL
}

stop() {
  running || return 0
  local pid; pid=$(cat "$pidfile")
  kill -TERM "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  kill) running && kill -KILL "$(cat "$pidfile")"; for _ in $(seq 1 100); do running || exit 0; sleep 0.05; done ;;
  restart) stop; start ;;
  dsn) echo "mysql://$user:$password@localhost/ibm_test?socket=$sock" ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
