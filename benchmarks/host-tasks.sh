#!/usr/bin/env bash
# host-tasks.sh: short tasks (one executor running `true`) through tes4j on local:?runtime=host,
# against `xargs -P` over `unshare` making the same namespaces and running `true`, the same number
# of times, in the same run. See benchmarks/README.md.
#
#   benchmarks/host-tasks.sh
#   TASKS=500 RUNS=7 benchmarks/host-tasks.sh
#   SANDBOX=unshare benchmarks/host-tasks.sh
#
# Settings (environment):
#   SANDBOX   the backend's sandbox parameter: auto (the default: bwrap when it is on PATH and
#             works), bwrap or unshare
#   TASKS     tasks per batch, and `true`s per baseline batch (default 200)
#   RUNNING   tasks running at once: tes4j's maxRunning, and xargs -P (default 2)
#   RUNS      timed batches of each; they take turns, the order swapped every run (default 5)
#   WARMUP    untimed tasks first, for the JIT (default 100)
#   JAR       the tes4j jar to run (default tes-cli/target/tes4j.jar); another build's jar times
#             that build with this script, e.g. the one before a change
#   JAVA_OPTS options for tes4j's JVM (default: none)
#   BUILD     1 to build even when the jar and classes exist (default: build only when missing)
#   KEEP      1 to keep the scratch directory afterwards
#
# Needs Linux with unprivileged user namespaces, bash 5, a JDK 17, util-linux's unshare, xargs
# and awk. It installs nothing: a missing tool is reported with the package to install, and the
# script exits 2. No network.
set -euo pipefail

TASKS=${TASKS:-200}
RUNNING=${RUNNING:-2}
RUNS=${RUNS:-5}
SANDBOX=${SANDBOX:-auto}
WARMUP=${WARMUP:-100}
BUILD=${BUILD:-0}
KEEP=${KEEP:-0}
JAVA_OPTS=${JAVA_OPTS:-}

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
classes="$repo/benchmarks/target/classes"
JAR=${JAR:-$tes4j_jar}
need java openjdk-17-jdk-headless
need unshare util-linux
need xargs findutils
need awk mawk
case "$SANDBOX" in
  auto | unshare) ;;
  bwrap) need bwrap bubblewrap ;;
  *) die "SANDBOX must be auto, bwrap or unshare, not '$SANDBOX'" ;;
esac
[ "${BASH_VERSINFO[0]}" -ge 5 ] || die "bash 5 or newer is needed (for EPOCHREALTIME)"
[ "$(uname -s)" = Linux ] || die "runtime=host needs Linux"
[[ "$TASKS" =~ ^[1-9][0-9]*$ && "$RUNNING" =~ ^[1-9][0-9]*$ && "$RUNS" =~ ^[1-9][0-9]*$ \
  && "$WARMUP" =~ ^[0-9]+$ ]] || die "TASKS, RUNNING and RUNS must be positive whole numbers, WARMUP a whole number"

if [ "$BUILD" = 1 ] || [ ! -f "$tes4j_jar" ] || [ ! -f "$classes/io/tes4j/benchmarks/HostTasks.class" ]; then
  say "building (./mvnw -q -DskipTests package)..."
  (cd "$repo" && ./mvnw -q -DskipTests package) >&2
fi
[ -f "$JAR" ] || die "no jar at $JAR"

# The baseline: the namespaces tes4j's sandbox makes (user, mount, PID with its own /proc), and
# `true`, with nothing of tes4j's: no mounts beyond /proc, no pivot_root, no JVM.
baseline=(unshare --user --map-root-user --mount --pid --fork --kill-child --mount-proc true)
"${baseline[@]}" || die "this system refuses the namespaces (${baseline[*]}): allow unprivileged user namespaces"

work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/tes4j-host-tasks.XXXXXX")}
mkdir -p "$work"
jvm_pid=""
cleanup() {
  if [ -n "$jvm_pid" ]; then
    exec {to_jvm}>&- 2>/dev/null || true
    wait "$jvm_pid" 2>/dev/null || true
  fi
  if [ "$KEEP" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# tes4j: one JVM for the whole run, batches asked for on its standard input.
mkfifo "$work/to-jvm" "$work/from-jvm"
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$JAR:$classes" io.tes4j.benchmarks.HostTasks "$work/tasks" "$RUNNING" "$SANDBOX" \
  < "$work/to-jvm" > "$work/from-jvm" 2> "$work/jvm.err" &
jvm_pid=$!
exec {to_jvm}> "$work/to-jvm" {from_jvm}< "$work/from-jvm"
read -r -u "$from_jvm" line || die "tes4j did not start: $(tail -5 "$work/jvm.err")"
[ "$line" = ready ] || die "tes4j said '$line': $(tail -5 "$work/jvm.err")"

tes4j_batch() { # prints the seconds N tasks took, and the CPU seconds they cost
  echo "$1" >&"$to_jvm"
  local answer
  read -r -u "$from_jvm" answer || die "tes4j stopped: $(tail -5 "$work/jvm.err")"
  case "$answer" in
    "done $1 "*) echo "${answer#done $1 }" ;;
    *) die "tes4j: $answer" ;;
  esac
}

children_ticks() { # CPU ticks of the children of process $1 that ended and were waited for
  awk '{ sub(/.*\) /, ""); print $14 + $15 }' "/proc/$1/stat"
}

baseline_batch() { # prints the seconds N baseline runs took, and the CPU seconds they cost
  local start=$EPOCHREALTIME me=$BASHPID ticks
  ticks=$(children_ticks "$me")
  seq "$1" | xargs -P "$RUNNING" -n 1 "${baseline[@]}" || die "the baseline failed"
  awk -v s="$start" -v e="$EPOCHREALTIME" -v t0="$ticks" -v t1="$(children_ticks "$me")" \
    'BEGIN { printf "%.3f %.3f\n", e - s, (t1 - t0) / 100 }'
}

if [ "$WARMUP" -gt 0 ]; then
  say "warming up: $WARMUP tasks, and as many baseline runs..."
  tes4j_batch "$WARMUP" > /dev/null
  baseline_batch "$WARMUP" > /dev/null
fi

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'; }
per_task_ms() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", s * 1000 / n }'; }
rows=()
for run in $(seq "$RUNS"); do
  if [ $((run % 2)) = 1 ]; then
    b=$(baseline_batch "$TASKS"); t=$(tes4j_batch "$TASKS")
  else
    t=$(tes4j_batch "$TASKS"); b=$(baseline_batch "$TASKS")
  fi
  read -r bs bc <<< "$b"
  read -r ts tc tj <<< "$t"
  rb=$(rate "$TASKS" "$bs") rt=$(rate "$TASKS" "$ts")
  rows+=("$run $rb $rt $(awk -v t="$rt" -v b="$rb" 'BEGIN { printf "%.2f", t / b }') $(per_task_ms "$TASKS" "$bc") $(per_task_ms "$TASKS" "$tc") $(per_task_ms "$TASKS" "$tj") $(cut -d' ' -f1 /proc/loadavg)")
  say "run $run: baseline $rb tasks/s, tes4j $rt tasks/s"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "local:?runtime=host&sandbox=$SANDBOX, $TASKS tasks of one executor running true, $RUNNING at once; $(nproc) CPUs"
echo "tes4j: $JAR${JAVA_OPTS:+ (JAVA_OPTS=$JAVA_OPTS)}; baseline: xargs -P $RUNNING ${baseline[*]}"
echo "load average before: $load_before; after: $load_after (other work on the machine skews the rates)"
echo "CPU ms: CPU time (user + system) per task of all each side ran: xargs and its processes; tes4j's JVM"
echo "(threads, JIT, GC) and every process it started; JVM ms: the JVM's own part of it"
echo
printf '%-6s %13s %11s %7s %16s %13s %7s %6s\n' run "baseline t/s" "tes4j t/s" ratio "baseline CPU ms" "tes4j CPU ms" "JVM ms" load
for row in "${rows[@]}"; do
  read -r r rb rt ratio bc tc tj load <<< "$row"
  printf '%-6s %13s %11s %7s %16s %13s %7s %6s\n' "$r" "$rb" "$rt" "$ratio" "$bc" "$tc" "$tj" "$load"
done
printf '%s\n' "${rows[@]}" | awk '
  { b[NR] = $2; t[NR] = $3; r[NR] = $4; bc[NR] = $5; tc[NR] = $6; tj[NR] = $7 }
  function median(a, n,   i, j, x, c) {
    for (i = 1; i <= n; i++) c[i] = a[i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (c[j] < c[i]) { x = c[i]; c[i] = c[j]; c[j] = x }
    return n % 2 ? c[(n + 1) / 2] : (c[n / 2] + c[n / 2 + 1]) / 2
  }
  END {
    printf "%-6s %13.1f %11.1f %7.2f %16.1f %13.1f %7.1f\n", "median", median(b, NR), median(t, NR), median(r, NR),
      median(bc, NR), median(tc, NR), median(tj, NR)
  }'
