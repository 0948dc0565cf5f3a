#!/bin/bash
# Runs a command with a private PostgreSQL server (Debian's postgresql package) on 127.0.0.1 and a free port:
# a fresh cluster in a temporary directory, trust authentication for local connections only, fsync on. The command
# sees BASELINE_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/postgres; the server is stopped when it ends, and the
# command's exit code is returned.
#   Tests/scripts/with-postgres.sh COMMAND [ARGS...]
set -u
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "with-postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql; make deps does)" >&2; exit 3; }
dir=$(mktemp -d /tmp/baseline-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" postgres
  chown postgres "$dir"; chmod 700 "$dir"
  as_pg=(runuser -u postgres --)
fi
cleanup() { "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1; rm -rf "$dir"; }
trap cleanup EXIT
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { echo "with-postgres.sh: initdb failed:" >&2; cat "$dir/initdb.log" >&2; exit 3; }
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=100" start >/dev/null \
  || { echo "with-postgres.sh: the server did not start:" >&2; cat "$dir/server.log" >&2; exit 3; }
export BASELINE_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
echo "with-postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
"$@"
