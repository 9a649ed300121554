#!/usr/bin/env bash
# transfer-vs-curl.sh: times `tes4j cp` against curl on loopback, over HTTP, FTP and S3, and
# records tes4j's heap use. See benchmarks/README.md.
#
#   SIZE_MIB=1024 RUNS=3 benchmarks/transfer-vs-curl.sh
#
# Settings (environment):
#   SIZE_MIB    size of the test file in MiB (default 1024)
#   RUNS        timed runs per tool and operation; the best (shortest) counts (default 3)
#   SMALL_MIB   size of the second, small file used to show the heap does not grow (default 64)
#   XMX_CHECK   also copy the full-size file once per operation with tes4j under -Xmx$XMX_CHECK,
#               to show bounded memory (default 64m; empty to skip)
#   WARM        1: also time tes4j's copy in ONE long-lived JVM (io.tes4j.benchmarks.WarmCopy),
#               taking turns with curl and tes4j cp in each run, for the "warm" columns (default 1;
#               0 skips)
#   BUILD       1 to build even when the jars exist (default: build only when missing)
#   WORK        scratch directory (default: a new one under $TMPDIR or /tmp, removed at the end)
#   KEEP        1 to keep WORK (logs, GC logs) afterwards
#
# Needs bash 5, a JDK 17, curl >= 7.75 (--aws-sigv4), sha256sum, awk; /usr/bin/time (Debian
# package "time") for the max RSS column (optional). It installs nothing: a missing tool is
# reported with the package to install, and the script exits 2. Only 127.0.0.1 is contacted.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
SMALL_MIB=${SMALL_MIB:-64}
XMX_CHECK=${XMX_CHECK-64m}
WARM=${WARM:-1}
BUILD=${BUILD:-0}
KEEP=${KEEP:-0}

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
warm_classes="$repo/benchmarks/target/classes"
need java openjdk-17-jdk-headless
need curl curl
need sha256sum coreutils
need awk mawk
[ "${BASH_VERSINFO[0]}" -ge 5 ] || die "bash 5 or newer is needed (for EPOCHREALTIME)"
curl --help all 2>/dev/null | grep -q -- '--aws-sigv4' \
  || die "this curl has no --aws-sigv4 (needs 7.75 or newer): install a newer curl"
[[ "$SIZE_MIB" =~ ^[1-9][0-9]*$ && "$SMALL_MIB" =~ ^[1-9][0-9]*$ && "$RUNS" =~ ^[1-9][0-9]*$ ]] \
  || die "SIZE_MIB, SMALL_MIB and RUNS must be positive whole numbers"
[[ "$WARM" = 0 || "$WARM" = 1 ]] || die "WARM must be 0 or 1"
if [ -x /usr/bin/time ]; then
  timer=(/usr/bin/time -v -o)
else
  timer=()
  say "transfer-vs-curl: /usr/bin/time is missing (apt-get install time): no max RSS column"
fi

if [ "$BUILD" = 1 ] || [ ! -f "$tes4j_jar" ] || [ ! -f "$servers_jar" ] \
  || [ ! -f "$warm_classes/io/tes4j/benchmarks/WarmCopy.class" ]; then
  say "building (./mvnw -q -DskipTests package)..."
  (cd "$repo" && ./mvnw -q -DskipTests package) >&2
fi

work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/tes4j-bench.XXXXXX")}
mkdir -p "$work"
serve="$work/serve" out="$work/out" logs="$work/logs"
mkdir -p "$serve/up" "$out" "$logs"

servers_pid=""
cleanup() {
  if [ -n "$servers_pid" ]; then
    exec {servers_in}>&- 2>/dev/null || true
    wait "$servers_pid" 2>/dev/null || true
  fi
  if [ "$KEEP" = 1 ]; then
    say "kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# --- Test files -----------------------------------------------------------------------------

say "creating $SIZE_MIB MiB and $SMALL_MIB MiB of random bytes in $serve..."
head -c "$((SIZE_MIB * 1048576))" /dev/urandom >"$serve/big.bin"
head -c "$((SMALL_MIB * 1048576))" /dev/urandom >"$serve/small.bin"
# A tiny file, to time each tool's fixed cost (process start, client set-up, first requests).
head -c 1024 /dev/urandom >"$serve/tiny.bin"
declare -A sha size
for f in big small tiny; do
  sha[$f]=$(sha256sum "$serve/$f.bin" | cut -d' ' -f1)
  size[$f]=$(stat -c %s "$serve/$f.bin")
done

# --- Servers --------------------------------------------------------------------------------

coproc SERVERS { exec java -jar "$servers_jar" "$serve" 2>"$logs/servers.err"; }
servers_pid=$SERVERS_PID
# Our own copy of the servers' standard input: closing it (at exit) stops them.
exec {servers_in}>&"${SERVERS[1]}"
eval "exec ${SERVERS[1]}>&-"
declare -A endpoint
while :; do
  if ! IFS= read -r -t 120 line <&"${SERVERS[0]}"; then
    say "the loopback servers did not start:"; cat "$logs/servers.err" >&2; exit 1
  fi
  [ "$line" = READY ] && break
  endpoint[${line%%=*}]=${line#*=}
done
http=${endpoint[HTTP_URL]} ftp=${endpoint[FTP_URL]} s3=${endpoint[S3_ENDPOINT]}
bucket=${endpoint[S3_BUCKET]}
s3_auth_signed=(--aws-sigv4 "aws:amz:us-east-1:s3" --user "${endpoint[S3_ACCESS_KEY]}:${endpoint[S3_SECRET_KEY]}")
# curl 7.88 sends no payload hash, which S3 wants: say the payload is not signed.
s3_auth=("${s3_auth_signed[@]}" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
export AWS_ACCESS_KEY_ID=${endpoint[S3_ACCESS_KEY]} AWS_SECRET_ACCESS_KEY=${endpoint[S3_SECRET_KEY]}
export AWS_ENDPOINT_URL=$s3 AWS_REGION=us-east-1
s3_dir="$serve/.s3/$bucket" # where the filesystem store keeps the bucket's objects
for url in "$http" "$ftp" "$s3"; do
  case "$url" in http://127.0.0.1:*/* | http://127.0.0.1:* | ftp://*@127.0.0.1:*) ;; *) die "not a loopback URL: $url" ;; esac
done

# The S3 download sources, put there with curl (not timed).
for f in big small tiny; do
  curl -sS -f "${s3_auth[@]}" -T "$serve/$f.bin" "$s3/$bucket/src-$f.bin" -o /dev/null
done

# --- Measuring ------------------------------------------------------------------------------

# masked TEXT: TEXT without the loopback servers' password and secret.
masked() {
  local text=$1
  text=${text//"${endpoint[S3_SECRET_KEY]}"/***}
  text=${text//"${endpoint[FTP_PASSWORD]}"/***}
  printf '%s' "$text"
}

# run LABEL COMMAND...: runs it quietly (no terminal, so no progress bar), timing it; sets
# $elapsed (seconds), $rss (max RSS in MiB, or "-") and $cpu (user + system seconds, or "-").
# Fails the script, showing the log, when the command fails.
run() {
  local label=$1; shift
  local start end
  start=$EPOCHREALTIME
  if [ ${#timer[@]} -gt 0 ]; then
    "${timer[@]}" "$logs/$label.time" "$@" </dev/null >"$logs/$label.out" 2>"$logs/$label.err" || failed "$label" "$@"
  else
    "$@" </dev/null >"$logs/$label.out" 2>"$logs/$label.err" || failed "$label" "$@"
  fi
  end=$EPOCHREALTIME
  elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  if [ ${#timer[@]} -gt 0 ]; then
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%d", $2 / 1024 }' "$logs/$label.time")
    cpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { printf "%.2f", t }' "$logs/$label.time")
  else
    rss=- cpu=-
  fi
}

# settle: before each timed run, write back what earlier runs left in the page cache, so that no
# run pays for the last one's writes.
settle() { sync; }

failed() { # failed LABEL COMMAND...: says what failed, with its standard error, and stops
  local label=$1; shift
  say "FAILED: $label: $(masked "$*")"
  say "$(masked "$(cat "$logs/$label.err")")"
  exit 1
}

# verify FILE big|small: the copy has the right size and SHA-256; then it is removed.
verify() {
  local file=$1 which=$2 got
  got=$(stat -c %s "$file")
  [ "$got" = "${size[$which]}" ] || { say "WRONG SIZE: $file has $got bytes, not ${size[$which]}"; exit 1; }
  got=$(sha256sum "$file" | cut -d' ' -f1)
  [ "$got" = "${sha[$which]}" ] || { say "WRONG CONTENT: $file (sha256 $got)"; exit 1; }
  rm -f "$file"
}

# The command for tes4j with a GC log (TES4J_JAVA_OPTS goes to the JVM, see ./tes4j), the
# operation's own variables ($tes4j_env, set by op_cmd), and any further JVM options:
# tes4j_with GCLOG [JVM-OPTION...] -> sets tes4j_cmd=(...) ending with "$tes4j".
tes4j_with() {
  local gclog=$1; shift
  tes4j_cmd=(env "TES4J_JAVA_OPTS=-Xlog:gc,gc+heap+exit:file=$gclog${*:+ $*}" "${tes4j_env[@]}" "$tes4j")
}

# heap GCLOG: "PEAK/GCS/EXIT": the largest heap after a GC (MiB), the number of GCs, and the heap
# in use when the JVM exited (MiB).
heap() {
  awk '
    /Pause|Full/ && match($0, /[0-9]+M->[0-9]+M\([0-9]+M\)/) {
      split(substr($0, RSTART, RLENGTH), p, /M->|M\(/); n++; if (p[2] + 0 > peak) peak = p[2] + 0 }
    /garbage-first heap|def new generation|total .* used/ && match($0, /used [0-9]+K/) && !exitused {
      exitused = substr($0, RSTART + 5, RLENGTH - 6) / 1024 }
    END { printf "%s/%d/%d", (n ? peak : "-"), n, exitused }' "$1"
}

# The operations: NAME, then how curl and tes4j do it with SRC (big|small) into a label's target.
# Each sets $target to the file to verify afterwards, and tes4j_env=() to variables for tes4j.
op_cmd() { # op_cmd OP TOOL WHICH LABEL -> prints nothing; sets cmd=(), target and tes4j_env=()
  local op=$1 tool=$2 which=$3 label=$4
  tes4j_env=()
  case "$op/$tool" in
    http-download/curl) target="$out/$label"; cmd=(curl -sS -f -o "$target" "${http}$which.bin") ;;
    http-download/tes4j) target="$out/$label"; cmd=(cp "${http}$which.bin" "$target") ;;
    http-upload/curl) target="$serve/up/$label"; cmd=(curl -sS -f -T "$serve/$which.bin" -o /dev/null "${http}up/$label") ;;
    http-upload/tes4j) target="$serve/up/$label"; cmd=(cp "$serve/$which.bin" "${http}up/$label") ;;
    ftp-download/curl) target="$out/$label"; cmd=(curl -sS -f -o "$target" "${ftp}$which.bin") ;;
    ftp-download/tes4j) target="$out/$label"; cmd=(cp "${ftp}$which.bin" "$target") ;;
    ftp-upload/curl) target="$serve/up/$label"; cmd=(curl -sS -f -T "$serve/$which.bin" "${ftp}up/$label") ;;
    ftp-upload/tes4j) target="$serve/up/$label"; cmd=(cp "$serve/$which.bin" "${ftp}up/$label") ;;
    s3-upload/curl) target="$s3_dir/$label"; cmd=(curl -sS -f "${s3_auth[@]}" -T "$serve/$which.bin" -o /dev/null "$s3/$bucket/$label") ;;
    s3-upload/tes4j)
      # As curl: UNSIGNED-PAYLOAD. tes4j still sends Content-MD5, which S3Proxy checks.
      target="$s3_dir/$label"; tes4j_env=(TES4J_S3_PAYLOAD_SIGNING=never)
      cmd=(cp "$serve/$which.bin" "s3://$bucket/$label") ;;
    s3-upload-hashed/curl)
      # What tes4j does for integrity: the body's SHA-256 signed, its MD5 sent as Content-MD5.
      target="$s3_dir/$label"
      cmd=(bash -c 'set -euo pipefail
        sha=$(sha256sum "$1" | cut -d" " -f1); md5=$(openssl md5 -binary "$1" | base64)
        curl -sS -f "${@:4}" -H "x-amz-content-sha256: $sha" -H "Content-MD5: $md5" -T "$1" -o /dev/null "$2/$3"' \
        hashed-upload "$serve/$which.bin" "$s3/$bucket" "$label" "${s3_auth_signed[@]}") ;;
    s3-upload-hashed/tes4j)
      # tes4j's default over http: the SHA-256 signed, and Content-MD5, as curl does here.
      target="$s3_dir/$label"; cmd=(cp "$serve/$which.bin" "s3://$bucket/$label") ;;
    s3-download/curl) target="$out/$label"; cmd=(curl -sS -f "${s3_auth[@]}" -o "$target" "$s3/$bucket/src-$which.bin") ;;
    s3-download/tes4j) target="$out/$label"; cmd=(cp "s3://$bucket/src-$which.bin" "$target") ;;
    *) die "unknown operation $op/$tool" ;;
  esac
}

ops=(http-download http-upload ftp-download ftp-upload s3-download s3-upload)
# s3-upload-hashed: curl hashing the body as tes4j does by default over http (signed SHA-256 and
# Content-MD5), compared with tes4j's default.
if command -v openssl >/dev/null 2>&1; then
  ops+=(s3-upload-hashed)
else
  say "transfer-vs-curl: openssl is missing (apt-get install openssl): no s3-upload-hashed row"
fi

# Does this build of tes4j have an FTP storage? (The FTP provider comes from its own branch.)
declare -A available
for op in "${ops[@]}"; do available[$op]=1; done
if ! "$tes4j" cp --retries 0 "${ftp}small.bin" "$out/probe.bin" </dev/null >/dev/null 2>"$logs/ftp-probe.err"; then
  if grep -q "no storage handles the scheme 'ftp'" "$logs/ftp-probe.err"; then
    say "this tes4j has no FTP storage: the FTP rows show curl only"
    available[ftp-download]=0 available[ftp-upload]=0
  else
    say "tes4j cannot download over FTP: $(masked "$(cat "$logs/ftp-probe.err")")"; exit 1
  fi
else
  verify "$out/probe.bin" small
fi

# The JVM's start-up, for reference: tes4j --version.
best_start=""
for ((i = 1; i <= RUNS; i++)); do
  run "startup-$i" "$tes4j" --version
  best_start=$(awk -v a="${best_start:-1e9}" -v b="$elapsed" 'BEGIN { print (b < a) ? b : a }')
done

# The warm copies: one WarmCopy JVM per operation, with the operation's environment, reading
# "SRC<TAB>DST" lines from a pipe and answering "done SECONDS" on another.
warm_pid=""
warm_start() { # warm_start OP
  local op=$1
  rm -f "$work/warm.in" "$work/warm.out"
  mkfifo "$work/warm.in" "$work/warm.out"
  env "${tes4j_env[@]}" java -cp "$tes4j_jar:$warm_classes" io.tes4j.benchmarks.WarmCopy - \
    <"$work/warm.in" >"$work/warm.out" 2>"$logs/$op-warm.err" &
  warm_pid=$!
  exec {warm_w}>"$work/warm.in"
  exec {warm_r}<"$work/warm.out"
}
warm_copy() { # warm_copy LABEL SRC DST: sets $elapsed, or fails the script
  local label=$1 reply
  printf '%s\t%s\n' "$2" "$3" >&"$warm_w"
  if ! IFS= read -r -t 900 reply <&"$warm_r"; then
    say "FAILED: $label: the warm JVM did not answer: $(masked "$(cat "$logs/${label%%-warm*}-warm.err")")"; exit 1
  fi
  case "$reply" in
    "done "*) elapsed=${reply#done } ;;
    *) say "FAILED: $label: $(masked "$reply")"; exit 1 ;;
  esac
}
warm_stop() {
  exec {warm_w}>&-
  wait "$warm_pid" || true
  exec {warm_r}<&-
  warm_pid=""
  rm -f "$work/warm.in" "$work/warm.out"
}

declare -A best best_rss best_cpu heap_big heap_small xmx fixed warm
for op in "${ops[@]}"; do
  for tool in curl tes4j; do
    [ "$tool" = tes4j ] && [ "${available[$op]}" = 0 ] && continue
    best[$op/$tool]=""
    if [ "$tool" = tes4j ]; then
      # Two untimed copies first: the launcher writes its class data sharing archive for this
      # kind of copy on the second run of it (see ./tes4j), and every timed run maps it.
      for prime in 1 2; do
        op_cmd "$op" tes4j tiny "$op-prime-$prime.bin"
        run "$op-prime-$prime" env "${tes4j_env[@]}" "$tes4j" "${cmd[@]}"
        verify "$target" tiny
      done
    fi
    # The fixed cost: the best time to copy the tiny file the same way.
    fixed[$op/$tool]=""
    for ((i = 1; i <= RUNS; i++)); do
      op_cmd "$op" "$tool" tiny "$op-$tool-tiny-$i.bin"
      if [ "$tool" = curl ]; then
        run "$op-$tool-tiny-$i" "${cmd[@]}"
      else
        run "$op-$tool-tiny-$i" env "${tes4j_env[@]}" "$tes4j" "${cmd[@]}"
      fi
      verify "$target" tiny
      fixed[$op/$tool]=$(awk -v a="${fixed[$op/$tool]:-1e9}" -v b="$elapsed" 'BEGIN { print (b < a) ? b : a }')
    done
  done
  tools=(curl)
  if [ "${available[$op]}" = 1 ]; then
    tools+=(tes4j)
    if [ "$WARM" = 1 ]; then
      tools+=(warm)
      # Start the warm JVM and copy the full file once, untimed: its classes load and its JIT
      # compiles the copy loop here, not in the timed runs.
      op_cmd "$op" tes4j big "$op-warmup.bin"
      warm_start "$op"
      warm_copy "$op-warmup" "${cmd[1]}" "${cmd[2]}"
      verify "$target" big
      best[$op/warm]=""
    fi
  fi
  for ((i = 1; i <= RUNS; i++)); do
    # Take turns at going first, so that no tool always meets a warmer (or busier) machine.
    order=("${tools[@]:$(( (i - 1) % ${#tools[@]} ))}" "${tools[@]:0:$(( (i - 1) % ${#tools[@]} ))}")
    for tool in "${order[@]}"; do
      label="$op-$tool-$i.bin"
      settle
      case "$tool" in
        curl)
          op_cmd "$op" curl big "$label"
          run "$op-$tool-$i" "${cmd[@]}" ;;
        tes4j)
          op_cmd "$op" tes4j big "$label"
          tes4j_with "$logs/$op-$i.gc"
          run "$op-$tool-$i" "${tes4j_cmd[@]}" "${cmd[@]}" ;;
        warm)
          op_cmd "$op" tes4j big "$label"
          warm_copy "$op-warm-$i" "${cmd[1]}" "${cmd[2]}"
          rss=- cpu=- ;;
      esac
      verify "$target" big
      say "$(printf '%-16s %-5s run %d: %7.3f s  (CPU %s s, max RSS %s MiB)' "$op" "$tool" "$i" "$elapsed" "$cpu" "$rss")"
      if [ -z "${best[$op/$tool]}" ] || awk -v a="$elapsed" -v b="${best[$op/$tool]}" 'BEGIN { exit !(a < b) }'; then
        best[$op/$tool]=$elapsed
        best_cpu[$op/$tool]=$cpu
        if [ "$tool" = tes4j ]; then heap_big[$op]=$(heap "$logs/$op-$i.gc"); fi
      fi
      if [ "$rss" != - ] && { [ -z "${best_rss[$op/$tool]:-}" ] || [ "$rss" -gt "${best_rss[$op/$tool]}" ]; }; then
        best_rss[$op/$tool]=$rss
      fi
    done
  done
  [ -n "$warm_pid" ] && warm_stop
  if [ "${available[$op]}" = 1 ]; then
    [ "$WARM" = 1 ] && warm[$op]=${best[$op/warm]}
    # The heap for the small file, and the full file under a small heap limit.
    op_cmd "$op" tes4j small "$op-small.bin"
    tes4j_with "$logs/$op-small.gc"
    run "$op-small" "${tes4j_cmd[@]}" "${cmd[@]}"
    verify "$target" small
    heap_small[$op]=$(heap "$logs/$op-small.gc")
    if [ -n "$XMX_CHECK" ]; then
      op_cmd "$op" tes4j big "$op-xmx.bin"
      tes4j_with "$logs/$op-xmx.gc" "-Xmx$XMX_CHECK"
      run "$op-xmx" "${tes4j_cmd[@]}" "${cmd[@]}"
      verify "$target" big
      xmx[$op]="ok ${elapsed}s"
    fi
  fi
done

# --- Report ---------------------------------------------------------------------------------

describe_heap() { # describe_heap PEAK GCS EXIT
  if [ "$2" -gt 0 ]; then echo "$1 MiB ($2 GCs)"; else echo "$3 MiB at exit (no GC)"; fi
}

echo
echo "tes4j cp vs curl on 127.0.0.1: ${SIZE_MIB} MiB of random bytes, best of $RUNS runs; $(nproc) CPUs"
echo "$(curl --version | head -1 | cut -d' ' -f1-2); $(java -version 2>&1 | head -1); tes4j --version: ${best_start} s"
echo "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?") (other work on the machine skews the times)"
echo
printf '%-16s %8s %8s %11s %8s %8s %9s %7s %9s %11s  %-24s %-24s %12s  %s\n' \
  operation "curl s" "tes4j s" "curl/tes4j" "fixed c" "fixed t" "net c/t" "warm t" "warm c/t" "CPU s c/t" "heap ${SMALL_MIB} MiB" "heap ${SIZE_MIB} MiB" "RSS MiB c/t" "${XMX_CHECK:+-Xmx$XMX_CHECK}"
for op in "${ops[@]}"; do
  c=${best[$op/curl]}
  if [ "${available[$op]}" = 1 ]; then
    t=${best[$op/tes4j]}
    ratio=$(awk -v c="$c" -v t="$t" 'BEGIN { printf "%.2f", c / t }')
    fc=${fixed[$op/curl]} ft=${fixed[$op/tes4j]}
    net=$(awk -v c="$c" -v t="$t" -v fc="$fc" -v ft="$ft" 'BEGIN { printf "%.2f", (c - fc) / (t - ft) }')
    IFS=/ read -r sp sn se <<<"${heap_small[$op]}"
    IFS=/ read -r bp bn be <<<"${heap_big[$op]}"
    hs=$(describe_heap "$sp" "$sn" "$se")
    hb=$(describe_heap "$bp" "$bn" "$be")
    rss_t=${best_rss[$op/tes4j]:--}
    x=${xmx[$op]:-}
    wt=${warm[$op]:--}
    wr=-
    [ "$wt" != - ] && wr=$(awk -v c="$c" -v t="$wt" 'BEGIN { printf "%.2f", c / t }')
  else
    wt=- wr=-
    fc=${fixed[$op/curl]} ft="n/a" net="n/a"
    t="n/a" ratio="n/a" hs="-" hb="-" rss_t="-" x="(no ftp storage in this build of tes4j)"
  fi
  printf '%-16s %8s %8s %11s %8s %8s %9s %7s %9s %11s  %-24s %-24s %12s  %s\n' \
    "$op" "$c" "$t" "$ratio" "$fc" "$ft" "$net" "$wt" "$wr" "${best_cpu[$op/curl]:--}/${best_cpu[$op/tes4j]:--}" \
    "$hs" "$hb" "${best_rss[$op/curl]:--}/$rss_t" "$x"
done
echo
echo "curl/tes4j >= 0.9 is the goal (1.00: as fast as curl). fixed c/t: each tool's best time to copy"
echo "a 1 KiB file the same way (start-up, client set-up, first requests); net c/t: the ratio once"
echo "each tool's fixed cost is taken off its time, i.e. the speed at which the bytes move."
echo "warm t: the best copy of the full file by tes4j's transfer code in one long-lived JVM (WarmCopy,"
echo "started and warmed up by one untimed copy), taking turns with curl and tes4j cp in every run, i.e."
echo "the speed of tes4j's bytes without its start-up; warm c/t: curl's time over it."
echo "CPU s c/t: user + system CPU seconds of each tool's best run (the loopback servers' not counted)."
echo "heap: the largest heap after a GC in tes4j's GC log (-Xlog:gc), and how many GCs ran; RSS: the"
echo "largest max RSS over the runs."
echo "s3-upload: both send UNSIGNED-PAYLOAD (tes4j with TES4J_S3_PAYLOAD_SIGNING=never); tes4j also sends"
echo "the MD5 of every request body (Content-MD5), which S3Proxy checks. s3-upload-hashed: curl first computes"
echo "the SHA-256 (signed) and MD5 (Content-MD5) of the body, as tes4j does by default over http."
