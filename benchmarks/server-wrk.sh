#!/usr/bin/env bash
# server-wrk.sh: drives `tes4j serve` with wrk on loopback, for GET /tasks/{id}?view=FULL, GET
# /tasks (a page of 100) and POST /tasks, beside a static-file baseline serving files of the same
# bytes as tes4j's answers: nginx when it is installed, else the JDK's HttpServer. Three row sets:
# many connections (wrk -t2 -c64), one keep-alive connection (wrk -t1 -c1, as a polling client),
# and GET /tasks/{id} with SLOW slow connections held open against each server. See
# benchmarks/README.md.
#
#   benchmarks/server-wrk.sh
#   RUNS=3 DURATION=10s benchmarks/server-wrk.sh
#
# Settings (environment):
#   DURATION     how long wrk runs each case (default 10s)
#   RUNS         how many times each case runs, tes4j and the baseline in turn (default 1); the
#                table shows the run with the median req/s, and every run's ratio
#   WARMUP       how long wrk drives each of tes4j's three requests before the runs, so that the
#                JIT has compiled them (default 8s; the baseline gets 2s per file)
#   CONNECTIONS  open connections of the many-connections rows (default 64)
#   THREADS      wrk threads of the many-connections rows (default 2; the -c1 rows use 1)
#   SLOW         slow connections held open in the slow-clients rows (default 1000, half with half a
#                header line, half with headers and 1 byte of a 1,000-byte body; 0 skips the rows)
#   TASKS        tasks created before the GET cases (default 2000)
#   BACKEND      the backend URI tes4j serves (default mock:?delay=0&record=false, so that the
#                numbers are the server's and the engine's, not a backend's)
#   BASELINE     nginx or jdk: the static-file server (default: nginx if installed, else jdk)
#   BUILD        1 to build even when the jars exist (default: build only when missing)
#   KEEP         1 to keep the scratch directory (logs, answers) afterwards
#   STORE_ROWS   0 to skip the store rows: POST /tasks on --store jdbc:sqlite: beside the memory
#                store, two new servers, at STORE_CONNECTIONS connections (default 16), after
#                STORE_WARMUP (default 40s) of the same load on each
#
# Exits 1 when a case got answers that were not 2xx: its figures would measure errors.
#
# Needs bash, a JDK 17, wrk (apt-get install wrk), curl, awk and python3 (the slow clients); nginx
# (apt-get install nginx) for the nginx baseline. It installs nothing: a missing tool is reported
# with the package to install, and the script exits 2. Only 127.0.0.1 is contacted.
set -euo pipefail

DURATION=${DURATION:-10s}
RUNS=${RUNS:-1}
WARMUP=${WARMUP:-8s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SLOW=${SLOW:-1000}
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
[ "$SLOW" = 0 ] || need python3 python3
case "$BASELINE" in
  nginx) [ -n "$nginx_bin" ] || die "nginx is missing: install it (apt-get install nginx), or set BASELINE=jdk" ;;
  jdk) ;;
  *) die "BASELINE must be nginx or jdk, was '$BASELINE'" ;;
esac
for setting in CONNECTIONS THREADS TASKS RUNS; do
  [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || die "$setting must be a positive whole number, was '${!setting}'"
done
[[ "$SLOW" =~ ^[0-9]+$ ]] || die "SLOW must be a whole number, was '$SLOW'"

if [ "$BUILD" = 1 ] || [ ! -f "$tes4j_jar" ] || [ ! -f "$servers_jar" ]; then
  say "building (./mvnw -q -DskipTests package)..."
  (cd "$repo" && ./mvnw -q -DskipTests package) >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tes4j-wrk.XXXXXX")
static="$work/static" logs="$work/logs"
mkdir -p "$static" "$logs"

serve_pids=() statics_pid="" nginx_pid="" slow_pid=""
cleanup() {
  if declare -F stop_slow >/dev/null; then stop_slow; fi # defined further down; an early exit comes first
  local pid
  for pid in "${serve_pids[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
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

# start_serve NAME [SERVE-OPTIONS...]: starts `tes4j serve --backend $BACKEND --port 0 ...` with its
# logs in $logs/NAME.*, and sets url[NAME] to its base URL. Another row set can start its own
# server this way (e.g. start_serve sqlite --store "jdbc:sqlite:$work/tasks.db").
declare -A url
start_serve() {
  local name=$1 base="" pid
  shift
  "$tes4j" serve --backend "$BACKEND" --port 0 "$@" >"$logs/$name.out" 2>"$logs/$name.err" &
  pid=$!
  serve_pids+=("$pid")
  for _ in $(seq 1 300); do
    base=$(grep -o 'http://127\.0\.0\.1:[0-9]*/ga4gh/tes/v1' "$logs/$name.out" 2>/dev/null | head -1 || true)
    [ -n "$base" ] && break
    kill -0 "$pid" 2>/dev/null || { say "tes4j serve ($name) stopped:"; cat "$logs/$name.err" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$base" ] || { say "tes4j serve ($name) printed no URL in 30 s:"; cat "$logs/$name.err" >&2; exit 1; }
  url[$name]=$base
}

# The GET rows read one of the first tasks: serve's default store (memory, the newest 100,000 ended
# tasks kept) would drop it under the POST rows' load, and the GETs would measure 404s.
start_serve tes4j --store 'memory:?keepEnded=100000000'
base=${url[tes4j]}
task='{"name":"wrk","executors":[{"image":"alpine:3.20","command":["echo","hello"]}],"tags":{"bench":"wrk"}}'
say "creating $TASKS tasks at $base..."
id=""
for _ in $(seq 1 "$TASKS"); do
  answer=$(curl -sS --fail -H 'Content-Type: application/json' -d "$task" "$base/tasks")
  id=${answer#*\"id\":\"}; id=${id%%\"*}
done
[ -n "$id" ] || die "no task id in the answer to POST /tasks: $answer"

# --- Static baseline: the same bytes as files -------------------------------------------------

curl -sS --fail "$base/tasks/$id?view=FULL" >"$static/task.json"
curl -sS --fail "$base/tasks?view=MINIMAL&page_size=100" >"$static/tasks.json"
printf '{"id":"%s"}' "$id" >"$static/created.json"

if [ "$BASELINE" = nginx ]; then
  # nginx's workers may run as another user: let them read the files.
  chmod 755 "$work" "$static"; chmod 644 "$static"/*
  static_base=""
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    # Room for the slow connections and wrk's beside them.
    cat >"$work/nginx.conf" <<EOF
daemon off;
worker_processes auto;
worker_rlimit_nofile 8192;
error_log $logs/nginx.err;
pid $work/nginx.pid;
events { worker_connections 4096; }
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
    # The port was taken (nginx exited: the kill finds nothing, which set -e must not end the script on).
    kill -TERM "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""
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
url[static]=$static_base

# --- Slow clients -------------------------------------------------------------------------------

# start_slow BASE-URL LABEL: holds $SLOW slow connections open to the server at BASE-URL until
# stop_slow; the helper's report goes to $logs/slow-LABEL.err.
start_slow() {
  local rest=${1#http://} hostport path=""
  hostport=${rest%%/*}
  [ "$rest" != "$hostport" ] && path=/${rest#*/}
  python3 "$repo/benchmarks/slow-clients.py" "${hostport%:*}" "${hostport##*:}" "$SLOW" "$path/tasks/$id" "$path/tasks" \
    </dev/null >"$logs/slow-$2.out" 2>"$logs/slow-$2.err" &
  slow_pid=$!
  for _ in $(seq 1 1200); do
    grep -q '^READY' "$logs/slow-$2.out" 2>/dev/null && return
    kill -0 "$slow_pid" 2>/dev/null || break
    sleep 0.1
  done
  say "the slow clients did not start:"; cat "$logs/slow-$2.err" >&2; exit 1
}
stop_slow() {
  if [ -n "$slow_pid" ]; then
    kill -TERM "$slow_pid" 2>/dev/null || true
    wait "$slow_pid" 2>/dev/null || true
    slow_pid=""
  fi
}

# --- wrk ----------------------------------------------------------------------------------------

cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$task'
EOF

# Each case: NAME|SERVER|WRK-THREADS|CONNECTIONS|PATH-AND-QUERY|LUA-SCRIPT|SLOW(1 = slow clients held open)
# SERVER names a url[] entry; PATH-AND-QUERY is appended to it. Rows (below) pair a case with its
# baseline case.
cases=()
add_case() { cases+=("$1|$2|$3|$4|$5|${6:-}|${7:-0}"); }
for c in 64 1; do
  t=$THREADS; n=$CONNECTIONS
  [ "$c" = 1 ] && { t=1; n=1; }
  add_case "get-task-c$c" tes4j "$t" "$n" "/tasks/$id?view=FULL"
  add_case "static-task-c$c" static "$t" "$n" "/task.json"
  add_case "list-tasks-c$c" tes4j "$t" "$n" "/tasks?view=MINIMAL&page_size=100"
  add_case "static-tasks-c$c" static "$t" "$n" "/tasks.json"
  add_case "create-task-c$c" tes4j "$t" "$n" "/tasks" "$work/post.lua"
  add_case "static-created-c$c" static "$t" "$n" "/created.json"
done
if [ "$SLOW" != 0 ]; then
  add_case "get-task-slow" tes4j "$THREADS" "$CONNECTIONS" "/tasks/$id?view=FULL" "" 1
  add_case "static-task-slow" static "$THREADS" "$CONNECTIONS" "/task.json" "" 1
fi

# wrk_case NAME RUN: runs the case once and appends "NAME RUN req/s p50 p99 non-2xx errors" to
# $work/results.
wrk_case() {
  local line name server t n path lua slow
  for line in "${cases[@]}"; do
    IFS='|' read -r name server t n path lua slow <<<"$line"
    [ "$name" = "$1" ] && break
  done
  local args=(-t "$t" -c "$n" -d "$DURATION" --latency)
  [ -n "$lua" ] && args+=(-s "$lua")
  [ "$slow" = 1 ] && start_slow "${url[$server]}" "$name.$2"
  wrk "${args[@]}" "${url[$server]}$path" >"$logs/$name.$2.wrk" 2>&1 \
    || { say "wrk failed for $name:"; cat "$logs/$name.$2.wrk" >&2; exit 1; }
  stop_slow
  awk -v label="$name $2" '
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = $2 }
    /^ +99%/ { p99 = $2 }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    /Socket errors:/ { errors = $0; sub(/.*Socket errors: /, "", errors); gsub(/ /, "", errors) }
    END { printf "%s %s %s %s %s %s\n", label, rps, p50, p99, (non2xx == "" ? 0 : non2xx), (errors == "" ? "none" : errors) }
  ' "$logs/$name.$2.wrk" >>"$work/results"
}

say "wrk on each case, $RUNS run(s) of $DURATION, after $WARMUP of warm-up per request..."
# Warm-up, not reported: the JIT compiles tes4j's paths (C2 still compiling would take a core).
for path in "/tasks/$id?view=FULL" "/tasks?view=MINIMAL&page_size=100"; do
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" "${url[tes4j]}$path" >/dev/null 2>&1 || true
done
wrk -t "$THREADS" -c "$CONNECTIONS" -d "$WARMUP" -s "$work/post.lua" "${url[tes4j]}/tasks" >/dev/null 2>&1 || true
for file in task.json tasks.json created.json; do
  wrk -t "$THREADS" -c "$CONNECTIONS" -d 2s "${url[static]}/$file" >/dev/null 2>&1 || true
done

loads=()
: >"$work/results"
for run in $(seq 1 "$RUNS"); do
  for line in "${cases[@]}"; do
    wrk_case "${line%%|*}" "$run"
  done
  loads+=("$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# --- Report -------------------------------------------------------------------------------------

# median NAME: the result line of the run of NAME with the median req/s.
median() {
  awk -v n="$1" '$1 == n' "$work/results" | sort -k3,3g | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'
}
# rps NAME RUN: the req/s of one run.
rps() { awk -v n="$1" -v r="$2" '$1 == n && $2 == r { print $3 }' "$work/results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

printf 'tes4j serve (%s) vs %s serving the same bytes as files, on 127.0.0.1\n' "$BACKEND" "$baseline_name"
printf '%s CPUs; %s; %s run(s) of %s per case\n' "$(nproc)" "$(java -version 2>&1 | head -1)" "$RUNS" "$DURATION"
printf 'load average before: %s; after each run: %s; after: %s\n' "$load_before" "${loads[*]}" "$load_after"
header() {
  printf '\n%s\n%-30s %10s %9s %9s %8s %10s %-14s %s\n' "$1" case "req/s" p50 p99 non-2xx "vs static" "each run" \
    "socket errors"
}
# row NAME BASELINE-NAME DESCRIPTION
row() {
  local name r p50 p99 non2xx errors ratio="-" runs=""
  read -r name _ r p50 p99 non2xx errors <<<"$(median "$1")"
  if [ -n "$2" ]; then
    ratio=$(ratio "$r" "$(read -r _ _ b _ <<<"$(median "$2")"; echo "$b")")
    for run in $(seq 1 "$RUNS"); do runs="$runs$(ratio "$(rps "$1" "$run")" "$(rps "$2" "$run")") "; done
  fi
  printf '%-30s %10s %9s %9s %8s %10s %-14s %s\n' "$3" "$r" "$p50" "$p99" "$non2xx" "$ratio" "${runs% }" "$errors"
}
for c in 64 1; do
  t=$THREADS; n=$CONNECTIONS
  [ "$c" = 1 ] && { t=1; n=1; }
  header "wrk -t$t -c$n"
  row "get-task-c$c" "static-task-c$c" "GET /tasks/{id}?view=FULL"
  row "static-task-c$c" "" "  static file, same bytes"
  row "list-tasks-c$c" "static-tasks-c$c" "GET /tasks?page_size=100"
  row "static-tasks-c$c" "" "  static file, same bytes"
  row "create-task-c$c" "static-created-c$c" "POST /tasks"
  row "static-created-c$c" "" "  static file of the answer"
done
if [ "$SLOW" != 0 ]; then
  header "wrk -t$THREADS -c$CONNECTIONS with $SLOW slow connections open to the same server"
  row get-task-slow static-task-slow "GET /tasks/{id}?view=FULL"
  row static-task-slow "" "  static file, same bytes"
  printf '(%s slow connections per server: half with half a header line, half with headers and 1 byte of\n' "$SLOW"
  printf ' a 1,000-byte body; reopened when the server closed them: tes4j %s, the baseline %s, in each run)\n' \
    "$(cat "$logs"/slow-get-task-slow.*.err 2>/dev/null | grep -o 'opened [0-9]*' | cut -d' ' -f2 | paste -sd/ -)" \
    "$(cat "$logs"/slow-static-task-slow.*.err 2>/dev/null | grep -o 'opened [0-9]*' | cut -d' ' -f2 | paste -sd/ -)"
fi
printf '\nanswer sizes: task %s bytes, 100 tasks %s bytes; tasks stored at the end: %s\n' \
  "$(stat -c %s "$static/task.json")" "$(stat -c %s "$static/tasks.json")" \
  "$(curl -sS "$base/tasks?view=MINIMAL&page_size=2047" | grep -o '"id"' | wc -l)+ (first page)"

# --- The durable store: POST /tasks on SQLite beside the memory store -----------------------------
# A second tes4j serve keeps its tasks in a SQLite file (synchronous=FULL: every acknowledged task
# is on disk); both get the same POST load at STORE_CONNECTIONS connections, one after the other.
# Its store logs at close how many transactions its writes took (the group commit).
# 40 s: a SQLite server's JIT compiled about 4,500 methods in its first 10 s of this load, 1,600 in
# the next 10 and 200 in the 10 after (-XX:+PrintCompilation), so after 20 s it was still warming up.
STORE_WARMUP=${STORE_WARMUP:-40s}
store_rows() {
  local connections=${STORE_CONNECTIONS:-16} memory sqlite memory_rps ratio line label r p50 p99 non2xx errors
  local java_opts=${TES4J_JAVA_OPTS:-}
  export TES4J_JAVA_OPTS="$java_opts -Dorg.slf4j.simpleLogger.log.io.tes4j.store=debug"
  start_serve sqlite --store "jdbc:sqlite:$work/tasks.db"
  export TES4J_JAVA_OPTS="$java_opts"
  # A fresh memory server beside it, so that both have had the same warm-up (the first server has
  # run every case above, and its JIT is far warmer than a new server's).
  start_serve memory
  say "store rows: POST /tasks at -c$connections, $STORE_WARMUP of warm-up each, then memory store and SQLite store in turn..."
  wrk -t "$THREADS" -c "$connections" -d "$STORE_WARMUP" -s "$work/post.lua" "${url[memory]}/tasks" >/dev/null 2>&1 || true
  wrk -t "$THREADS" -c "$connections" -d "$STORE_WARMUP" -s "$work/post.lua" "${url[sqlite]}/tasks" >/dev/null 2>&1 || true
  add_case create-memory "memory" "$THREADS" "$connections" "/tasks" "$work/post.lua"
  add_case create-sqlite "sqlite" "$THREADS" "$connections" "/tasks" "$work/post.lua"
  wrk_case create-memory store
  wrk_case create-sqlite store
  memory=$(awk '$1 == "create-memory"' "$work/results")
  sqlite=$(awk '$1 == "create-sqlite"' "$work/results")
  local pid
  for pid in "${serve_pids[@]: -2}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  printf '\nPOST /tasks, wrk -t%s -c%s -d%s: the memory store vs --store jdbc:sqlite: (load average now %s)\n' \
    "$THREADS" "$connections" "$DURATION" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")"
  printf '%-32s %10s %9s %9s %8s %10s %s\n' case "req/s" p50 p99 non-2xx "vs memory" "socket errors"
  read -r _ _ memory_rps _ <<<"$memory"
  for line in "$memory" "$sqlite"; do
    read -r label _ r p50 p99 non2xx errors <<<"$line"
    ratio=$(ratio "$r" "$memory_rps")
    case "$label" in create-memory) label="POST /tasks, memory store" ;; *) label="POST /tasks, SQLite store" ;; esac
    printf '%-32s %10s %9s %9s %8s %10s %s\n' "$label" "$r" "$p50" "$p99" "$non2xx" "$ratio" "$errors"
  done
  grep -o '[0-9]* writes committed in [0-9]* transactions' "$logs/sqlite.err" | tail -1 \
    | awk '{ printf "SQLite store: %s writes in %s transactions (%.1f writes per commit)\n", $1, $5, $1 / $5 }' || true
}
[ "${STORE_ROWS:-1}" = 0 ] || store_rows

# A case whose answers were not 2xx measured errors (a task no longer stored, a refusal), not the
# request it names: say so loudly, and fail.
failed_cases=$(awk '$6 != 0 { printf "%s (run %s): %s answers not 2xx\n", $1, $2, $6 }' "$work/results")
if [ -n "$failed_cases" ]; then
  say "these cases got answers that were not 2xx, so their figures are not valid:"
  printf '%s\n' "$failed_cases" >&2
  exit 1
fi
