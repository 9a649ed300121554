#!/usr/bin/env bash
# server-wrk.sh: drives `tes4j serve` with wrk on loopback, for GET /tasks/{id}, GET /tasks and
# POST /tasks, beside a static-file baseline serving files of the same bytes as tes4j's answers:
# nginx when it is installed, else the JDK's HttpServer (the server tes4j runs on). See
# benchmarks/README.md.
#
#   benchmarks/server-wrk.sh
#   DURATION=30s CONNECTIONS=128 benchmarks/server-wrk.sh
#
# Settings (environment):
#   DURATION     how long wrk runs each case (default 10s)
#   CONNECTIONS  open connections (default 64)
#   THREADS      wrk threads (default 2)
#   TASKS        tasks created before the GET cases (default 2000)
#   BACKEND      the backend URI tes4j serves (default mock:?delay=0&record=false, so that the
#                numbers are the server's and the engine's, not a backend's)
#   BASELINE     nginx or jdk: the static-file server (default: nginx if installed, else jdk)
#   BUILD        1 to build even when the jars exist (default: build only when missing)
#   KEEP         1 to keep the scratch directory (logs, answers) afterwards
#   STORE_ROWS   0 to skip the store rows: POST /tasks on --store jdbc:sqlite: beside the memory
#                store, at STORE_CONNECTIONS connections (default 16)
#
# Needs bash, a JDK 17, wrk (apt-get install wrk), curl and awk; nginx (apt-get install nginx) for
# the nginx baseline. It installs nothing: a missing
# tool is reported with the package to install, and the script exits 2. Only 127.0.0.1 is
# contacted.
set -euo pipefail

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
TASKS=${TASKS:-2000}
BACKEND=${BACKEND:-mock:?delay=0&record=false}
BUILD=${BUILD:-0}
# nginx, found on PATH or where Debian puts it (/usr/sbin, often not on a user's PATH); empty if absent.
nginx_bin=$(command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
if [ -z "${BASELINE:-}" ]; then
  if [ -n "$nginx_bin" ]; then BASELINE=nginx; else BASELINE=jdk; fi
fi
KEEP=${KEEP:-0}

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need java openjdk-17-jdk-headless
need wrk wrk
need curl curl
need awk mawk
case "$BASELINE" in
  nginx) [ -n "$nginx_bin" ] || die "nginx is missing: install it (apt-get install nginx), or set BASELINE=jdk" ;;
  jdk) ;;
  *) die "BASELINE must be nginx or jdk, was '$BASELINE'" ;;
esac
[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ && "$THREADS" =~ ^[1-9][0-9]*$ && "$TASKS" =~ ^[1-9][0-9]*$ ]] \
  || die "CONNECTIONS, THREADS and TASKS must be positive whole numbers"

if [ "$BUILD" = 1 ] || [ ! -f "$tes4j_jar" ] || [ ! -f "$servers_jar" ]; then
  say "building (./mvnw -q -DskipTests package)..."
  (cd "$repo" && ./mvnw -q -DskipTests package) >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tes4j-wrk.XXXXXX")
static="$work/static" logs="$work/logs"
mkdir -p "$static" "$logs"

server_pid="" statics_pid="" nginx_pid="" store_pid=""
cleanup() {
  [ -n "$store_pid" ] && kill -TERM "$store_pid" 2>/dev/null && wait "$store_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill -TERM "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  if [ -n "$statics_pid" ]; then
    exec {statics_in}>&- 2>/dev/null || true
    wait "$statics_pid" 2>/dev/null || true
  fi
  if [ "$KEEP" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# --- tes4j serve ------------------------------------------------------------------------------

"$tes4j" serve --backend "$BACKEND" --port 0 >"$logs/serve.out" 2>"$logs/serve.err" &
server_pid=$!
base=""
for _ in $(seq 1 300); do
  base=$(grep -o 'http://127\.0\.0\.1:[0-9]*/ga4gh/tes/v1' "$logs/serve.out" 2>/dev/null | head -1 || true)
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || { say "tes4j serve stopped:"; cat "$logs/serve.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { say "tes4j serve printed no URL in 30 s:"; cat "$logs/serve.err" >&2; exit 1; }

task='{"name":"wrk","executors":[{"image":"alpine:3.20","command":["echo","hello"]}],"tags":{"bench":"wrk"}}'
say "creating $TASKS tasks at $base..."
id=""
for _ in $(seq 1 "$TASKS"); do
  answer=$(curl -sS --fail -H 'Content-Type: application/json' -d "$task" "$base/tasks")
  id=${answer#*\"id\":\"}; id=${id%%\"*}
done
[ -n "$id" ] || die "no task id in the answer to POST /tasks: $answer"

# --- Static baseline: the same bytes from the JDK's HttpServer -------------------------------

curl -sS --fail "$base/tasks/$id?view=BASIC" >"$static/task.json"
curl -sS --fail "$base/tasks?view=MINIMAL&page_size=100" >"$static/tasks.json"
printf '{"id":"%s"}' "$id" >"$static/created.json"

if [ "$BASELINE" = nginx ]; then
  # nginx's workers may run as another user: let them read the files.
  chmod 755 "$work" "$static"; chmod 644 "$static"/*
  static_base=""
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    cat >"$work/nginx.conf" <<EOF
daemon off;
worker_processes auto;
error_log $logs/nginx.err;
pid $work/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  server { listen 127.0.0.1:$port; root $static; }
}
EOF
    "$nginx_bin" -p "$work" -c "$work/nginx.conf" 2>>"$logs/nginx.err" &
    nginx_pid=$!
    for _ in $(seq 1 50); do
      if curl -s -o /dev/null "http://127.0.0.1:$port/created.json"; then static_base="http://127.0.0.1:$port"; break; fi
      kill -0 "$nginx_pid" 2>/dev/null || break
      sleep 0.1
    done
    [ -n "$static_base" ] && break
    kill -TERM "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""
  done
  [ -n "$static_base" ] || { say "nginx did not start:"; cat "$logs/nginx.err" >&2; exit 1; }
  baseline_name="nginx $("$nginx_bin" -v 2>&1 | sed 's/.*nginx\///')"
else
  coproc STATICS { exec java -jar "$servers_jar" "$static" 2>"$logs/statics.err"; }
  statics_pid=$STATICS_PID
  exec {statics_in}>&"${STATICS[1]}"
  eval "exec ${STATICS[1]}>&-"
  static_base=""
  while IFS= read -r -t 120 line <&"${STATICS[0]}"; do
    case "$line" in
      HTTP_URL=*) static_base=${line#HTTP_URL=} ;;
      READY) break ;;
    esac
  done
  [ -n "$static_base" ] || { say "the static server did not start:"; cat "$logs/statics.err" >&2; exit 1; }
  static_base=${static_base%/}
  baseline_name="the JDK's HttpServer (benchmarks' LoopbackServers)"
fi

# --- wrk ----------------------------------------------------------------------------------------

cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$task'
EOF

# run LABEL URL [LUA]: prints "LABEL requests/s p50 p99 non-2xx errors" from wrk's output.
run() {
  local label=$1 url=$2 script=${3:-} args=(-t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency)
  [ -n "$script" ] && args+=(-s "$script")
  wrk "${args[@]}" "$url" >"$logs/$label.wrk" 2>&1 || { say "wrk failed for $label:"; cat "$logs/$label.wrk" >&2; exit 1; }
  awk -v label="$label" '
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = $2 }
    /^ +99%/ { p99 = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    /Socket errors:/ { errors = $0; sub(/.*Socket errors: /, "", errors); gsub(/ /, "", errors) }
    END { printf "%s %s %s %s %s %s\n", label, rps, p50, p99, (non2xx == "" ? 0 : non2xx), (errors == "" ? "none" : errors) }
  ' "$logs/$label.wrk"
}

say "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on each case, after 12 s of warm-up..."
results=()
# A short warm-up of each server (the JIT, for the Java ones), not reported.
for url in "$base/tasks/$id?view=BASIC" "$base/tasks?view=MINIMAL&page_size=100" "$static_base/task.json"; do
  wrk -t "$THREADS" -c "$CONNECTIONS" -d 3s "$url" >/dev/null 2>&1 || true
done
wrk -t "$THREADS" -c "$CONNECTIONS" -d 3s -s "$work/post.lua" "$base/tasks" >/dev/null 2>&1 || true
results+=("$(run get-task "$base/tasks/$id?view=BASIC")")
results+=("$(run static-task "$static_base/task.json")")
results+=("$(run list-tasks "$base/tasks?view=MINIMAL&page_size=100")")
results+=("$(run static-tasks "$static_base/tasks.json")")
results+=("$(run create-task "$base/tasks" "$work/post.lua")")
results+=("$(run static-created "$static_base/created.json")")
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# --- Report -------------------------------------------------------------------------------------

printf 'tes4j serve (%s) vs %s serving the same bytes as files, on 127.0.0.1\n' "$BACKEND" "$baseline_name"
printf 'wrk -t%s -c%s -d%s; %s CPUs; %s\n' "$THREADS" "$CONNECTIONS" "$DURATION" "$(nproc)" \
  "$(java -version 2>&1 | head -1)"
printf 'load average before: %s; after: %s\n\n' "$load_before" "$load_after"
printf '%-32s %10s %9s %9s %8s %10s %s\n' case "req/s" p50 p99 non-2xx "vs static" "socket errors"
declare -A rps
for line in "${results[@]}"; do
  read -r label r _ <<<"$line"
  rps[$label]=$r
done
row() { # row LABEL STATIC-LABEL DESCRIPTION
  local line
  for line in "${results[@]}"; do
    read -r label r p50 p99 non2xx errors <<<"$line"
    [ "$label" = "$1" ] || continue
    local ratio="-"
    [ -n "$2" ] && ratio=$(awk -v a="$r" -v b="${rps[$2]}" 'BEGIN { printf "%.2f", a / b }')
    printf '%-32s %10s %9s %9s %8s %10s %s\n' "$3" "$r" "$p50" "$p99" "$non2xx" "$ratio" "$errors"
  done
}
row get-task static-task "GET /tasks/{id}?view=BASIC"
row static-task "" "  static file, same bytes"
row list-tasks static-tasks "GET /tasks?page_size=100"
row static-tasks "" "  static file, same bytes"
row create-task static-created "POST /tasks"
row static-created "" "  static file of the answer"
printf '\nanswer sizes: task %s bytes, 100 tasks %s bytes; tasks stored at the end: %s\n' \
  "$(stat -c %s "$static/task.json")" "$(stat -c %s "$static/tasks.json")" \
  "$(curl -sS "$base/tasks?view=MINIMAL&page_size=2047" | grep -o '"id"' | wc -l)+ (first page)"

# --- The durable store: POST /tasks on SQLite beside the memory store -----------------------------
# A second tes4j serve keeps its tasks in a SQLite file (synchronous=FULL: every acknowledged task
# is on disk); both get the same POST load at STORE_CONNECTIONS connections, one after the other.
# Its store logs at close how many transactions its writes took (the group commit).
store_rows() {
  local connections=${STORE_CONNECTIONS:-16} store_base="" memory sqlite memory_rps ratio line label
  TES4J_JAVA_OPTS="${TES4J_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.log.io.tes4j.store=debug" \
    "$tes4j" serve --backend "$BACKEND" --port 0 --store "jdbc:sqlite:$work/tasks.db" \
    >"$logs/serve-sqlite.out" 2>"$logs/serve-sqlite.err" &
  store_pid=$!
  for _ in $(seq 1 300); do
    store_base=$(grep -o 'http://127\.0\.0\.1:[0-9]*/ga4gh/tes/v1' "$logs/serve-sqlite.out" 2>/dev/null | head -1 || true)
    [ -n "$store_base" ] && break
    kill -0 "$store_pid" 2>/dev/null || { say "tes4j serve --store jdbc:sqlite: stopped:"; cat "$logs/serve-sqlite.err" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$store_base" ] || die "tes4j serve --store jdbc:sqlite: printed no URL in 30 s"
  say "store rows: POST /tasks at -c$connections, memory store then SQLite store..."
  # Twice the warm-up of the others: the memory server is warm from the cases above.
  wrk -t "$THREADS" -c "$connections" -d 6s -s "$work/post.lua" "$store_base/tasks" >/dev/null 2>&1 || true
  memory=$(CONNECTIONS=$connections run create-memory-c$connections "$base/tasks" "$work/post.lua")
  sqlite=$(CONNECTIONS=$connections run create-sqlite-c$connections "$store_base/tasks" "$work/post.lua")
  kill -TERM "$store_pid" 2>/dev/null && wait "$store_pid" 2>/dev/null || true
  store_pid=""
  printf '\nPOST /tasks, wrk -t%s -c%s -d%s: the memory store vs --store jdbc:sqlite: (load average now %s)\n' \
    "$THREADS" "$connections" "$DURATION" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")"
  printf '%-32s %10s %9s %9s %8s %10s %s\n' case "req/s" p50 p99 non-2xx "vs memory" "socket errors"
  read -r _ memory_rps _ <<<"$memory"
  for line in "$memory" "$sqlite"; do
    read -r label r p50 p99 non2xx errors <<<"$line"
    ratio=$(awk -v a="$r" -v b="$memory_rps" 'BEGIN { printf "%.2f", a / b }')
    case "$label" in create-memory*) label="POST /tasks, memory store" ;; *) label="POST /tasks, SQLite store" ;; esac
    printf '%-32s %10s %9s %9s %8s %10s %s\n' "$label" "$r" "$p50" "$p99" "$non2xx" "$ratio" "$errors"
  done
  grep -o '[0-9]* writes committed in [0-9]* transactions' "$logs/serve-sqlite.err" | tail -1 \
    | awk '{ printf "SQLite store: %s writes in %s transactions (%.1f writes per commit)\n", $1, $5, $1 / $5 }' || true
}
[ "${STORE_ROWS:-1}" = 0 ] || store_rows
