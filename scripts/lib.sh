# Shared by scripts/start, scripts/stop and scripts/test. Sourced, not run.
# Everything here is idempotent: a second call finds what the first one made and leaves it.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" = 0 ] || die "run as root: it installs packages, starts PostgreSQL as the postgres user and may start dockerd"
}

# ensure_packages NAME... : apt-get install whatever is not installed yet.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing ${missing[*]} ..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# The machine's PostgreSQL binaries; installs Debian's server when there are none.
pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    ensure_packages postgresql postgresql-contrib
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  printf '%s' "$bin"
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    [ -x /usr/share/dotnet/dotnet ] && export PATH="/usr/share/dotnet:$PATH"
  fi
  command -v dotnet >/dev/null 2>&1 || die "the .NET 10 SDK is not installed (dotnet not on PATH); install it, then run this again"
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
}

# cpu_ticks : "BUSY TOTAL" jiffies of all cores from /proc/stat (busy = everything but idle and iowait).
cpu_ticks() {
  awk '/^cpu / { total = 0; for (i = 2; i <= NF; i++) total += $i; print total - $5 - $6, total; exit }' /proc/stat
}

# random_secret [N] : N letters and digits from /dev/urandom (no pipe closed early, so pipefail is safe).
random_secret() {
  local n=${1:-24} s=""
  while [ ${#s} -lt "$n" ]; do
    s+=$(head -c 48 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')
  done
  printf '%s' "${s:0:$n}"
}

# secret_file PATH : the secret in PATH, created on first use (mode 600).
secret_file() {
  local file=$1
  if [ ! -s "$file" ]; then
    mkdir -p "$(dirname "$file")"
    (umask 077 && random_secret 24 >"$file")
  fi
  cat "$file"
}

# pg_start DIR PORT SUPERUSER_PASSWORD_FILE : a private cluster in DIR, listening on 127.0.0.1:PORT
# with scram passwords for every TCP login and its unix socket inside DIR (only postgres and root reach it).
pg_start() {
  local dir=$1 port=$2 pwfile=$3 bin
  bin=$(pg_bin)
  id postgres >/dev/null 2>&1 || die "the postgres user does not exist; install Debian's postgresql package"
  if [ ! -f "$dir/PG_VERSION" ]; then
    say "Creating a PostgreSQL cluster in $dir ..."
    mkdir -p "$dir"
    chown postgres:postgres "$dir"
    chmod 700 "$dir"
    local tmp
    secret_file "$pwfile" >/dev/null
    tmp=$(mktemp)
    cp "$pwfile" "$tmp" && chown postgres "$tmp" && chmod 600 "$tmp"
    runuser -u postgres -- "$bin/initdb" -D "$dir" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 --pwfile="$tmp" >"$dir.initdb.log" 2>&1 \
      || { rm -f "$tmp"; cat "$dir.initdb.log" >&2; die "initdb failed in $dir"; }
    rm -f "$tmp"
  fi
  # max_connections: room for many connection pools side by side (each test host has its own, and
  # one test records a hundred pushes at once), or for a web node and several workers.
  if ! runuser -u postgres -- "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c max_connections=${PG_MAX_CONNECTIONS:-300}" start >/dev/null \
      || { tail -n 20 "$dir/server.log" >&2; die "PostgreSQL did not start in $dir (port $port in use?)"; }
  fi
}

pg_stop() {
  local dir=$1 bin
  bin=$(pg_bin)
  [ -f "$dir/PG_VERSION" ] || return 0
  if runuser -u postgres -- "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
}

# pg_sql DIR PORT SQL : run SQL as the superuser over the cluster's private socket.
pg_sql() {
  local dir=$1 port=$2 sql=$3 bin
  bin=$(pg_bin)
  runuser -u postgres -- "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt -c "$sql"
}

# pg_ensure_database DIR PORT NAME PASSWORD : a login role NAME owning database NAME.
pg_ensure_database() {
  local dir=$1 port=$2 name=$3 password=$4
  pg_sql "$dir" "$port" "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$name') THEN
        CREATE ROLE $name LOGIN PASSWORD '$password';
      ELSE
        ALTER ROLE $name LOGIN PASSWORD '$password';
      END IF;
    END \$\$;"
  if [ -z "$(pg_sql "$dir" "$port" "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
    pg_sql "$dir" "$port" "CREATE DATABASE $name OWNER $name"
  fi
}

docker_answers() {
  [ -S /var/run/docker.sock ] && curl -fsS --max-time 3 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1
}

# docker_ensure LOGFILE PIDFILE : a Docker engine on /var/run/docker.sock; starts dockerd (no bridge,
# no iptables: sandboxes need no network) when none answers, and records its pid so stop can end it.
docker_ensure() {
  local log=$1 pidfile=$2
  docker_answers && return 0
  ensure_packages docker.io
  say "Starting dockerd ..."
  mkdir -p "$(dirname "$log")" "$(dirname "$pidfile")"
  setsid nohup dockerd --bridge=none --iptables=false >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local i
  for i in $(seq 1 60); do
    docker_answers && return 0
    sleep 1
  done
  tail -n 20 "$log" >&2
  die "dockerd did not answer on /var/run/docker.sock within 60 s (log: $log)"
}

# docker_stop PIDFILE : stop the dockerd that docker_ensure started, if it did.
docker_stop() {
  local pidfile=$1 pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    local i
    for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  rm -f "$pidfile"
}

# build_assess : publish the assess binary into .build/assess when any input changed.
build_assess() {
  "$ROOT/scripts/build-assess"
}

# sandbox_image_ensure : the sandbox image gradings run in, for this checkout's Dockerfile and the
# host's .NET SDK (assess sandbox build-image). Needs the engine up. The first build on a machine
# runs debootstrap (about 2 minutes, needs root and the Debian mirror); later calls find the tag.
sandbox_image_ensure() {
  "$ROOT/assess" sandbox build-image
}
