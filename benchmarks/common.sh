# common.sh: what the benchmark scripts share. Sourced, not run:
#   source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# Sets repo, tes4j, tes4j_jar and servers_jar, and defines say, die and need. die and need name
# the sourcing script in their messages and exit 2, as its usage errors do.

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tes4j="$repo/tes4j"
tes4j_jar="$repo/tes-cli/target/tes4j.jar"
servers_jar="$repo/benchmarks/target/loopback-servers.jar"

say() { printf '%s\n' "$*" >&2; }
die() { say "$(basename "$0" .sh): $*"; exit 2; }
need() { # need COMMAND DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 || die "$1 is missing: install it (apt-get install $2)"
}
