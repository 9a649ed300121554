#!/usr/bin/env bash
# Checks that the docs stay true to the repository, with bash, grep and awk only:
#   1. every relative link in docs/**/*.md and README.md leads to a file or directory that exists,
#      and its #anchor, when it has one and leads to a .md file (or is on the same page), to a
#      heading of that file (slugs as GitHub and MkDocs make them: lower case, punctuation dropped,
#      spaces to -); links to http(s): and mailto: are not checked; code blocks are skipped;
#   2. every page in mkdocs.yml's nav exists, and every page under docs/ is in the nav;
#   3. a fenced block right after a line `<!-- include: PATH -->` (alone on its line) is exactly
#      the file PATH (relative to the page), so the files shown in deploy.md are the files shipped in docs/deploy/.
# Targets that another branch is adding (listed, one repository path a line, in
# docs/pending-links.txt) are reported as pending, not as failures; once they exist, the script
# says to remove them from that list.
# Usage: docs/check-links.sh    (from anywhere; exit 0 when all is well, 1 otherwise)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

failures=0
fail() {
  echo "check-links: $*" >&2
  failures=$((failures + 1))
}

# Repository paths that are allowed to be missing for now.
pending=()
if [ -f docs/pending-links.txt ]; then
  while IFS= read -r line; do
    line="${line%%#*}"
    line="$(echo "$line" | awk '{$1=$1; print}')"
    [ -n "$line" ] && pending+=("${line%/}")
  done < docs/pending-links.txt
fi

is_pending() {
  local target="${1%/}" p
  for p in "${pending[@]+"${pending[@]}"}"; do
    [ "$target" = "$p" ] && return 0
  done
  return 1
}

# Normalizes a path with . and .. segments (no file system access).
normalize() {
  awk -v path="$1" 'BEGIN {
    n = split(path, parts, "/"); k = 0
    for (i = 1; i <= n; i++) {
      if (parts[i] == "" || parts[i] == ".") continue
      if (parts[i] == "..") { if (k > 0 && out[k] != "..") { k-- } else { out[++k] = ".." } ; continue }
      out[++k] = parts[i]
    }
    s = ""; for (i = 1; i <= k; i++) s = s (i > 1 ? "/" : "") out[i]
    print (s == "" ? "." : s)
  }'
}

# The anchors of a Markdown file's headings, one a line.
anchors() {
  awk '
    /^[ \t]*(```|~~~)/ { fence = !fence; next }
    fence { next }
    /^#+[ \t]/ {
      h = $0; sub(/^#+[ \t]+/, "", h); sub(/[ \t]+#*[ \t]*$/, "", h)
      h = tolower(h)
      gsub(/[^a-z0-9 _-]/, "", h)
      gsub(/ /, "-", h)
      print h
    }' "$1"
}

# 1. Relative links in the pages.
pages=$(find docs -name '*.md' -type f | sort)
checked=0
for page in $pages README.md; do
  dir="$(dirname "$page")"
  # One "LINE<TAB>TARGET" per link outside fenced code blocks and inline code.
  while IFS=$'\t' read -r lineno target; do
    [ -z "$target" ] && continue
    case "$target" in
      http://* | https://* | mailto:*) continue ;;
    esac
    path="${target%%#*}"
    path="${path%%\?*}"
    anchor=""
    case "$target" in *#*) anchor="${target#*#}" ;; esac
    if [ -z "$path" ]; then
      resolved="$page"
    else
      resolved="$(normalize "$dir/$path")"
    fi
    checked=$((checked + 1))
    if [ -n "$anchor" ] && [ -f "$resolved" ] && [ "${resolved%.md}" != "$resolved" ]; then
      if ! anchors "$resolved" | grep -qxF "$anchor"; then
        fail "$page:$lineno: no heading for #$anchor in $resolved"
      fi
    fi
    [ -z "$path" ] && continue
    if [ -e "$resolved" ]; then
      if is_pending "$resolved"; then
        echo "check-links: $resolved exists now: remove it from docs/pending-links.txt" >&2
      fi
    elif is_pending "$resolved"; then
      echo "check-links: pending: $page:$lineno: $target (listed in docs/pending-links.txt)" >&2
    else
      fail "$page:$lineno: broken link: $target (no $resolved)"
    fi
  done < <(awk '
    /^[ \t]*(```|~~~)/ { fence = !fence; next }
    fence { next }
    {
      line = $0
      gsub(/`[^`]*`/, "", line)
      # Reference definitions: [name]: target
      if (match(line, /^[ \t]*\[[^]]+\]:[ \t]+[^ \t]+/)) {
        def = substr(line, RSTART, RLENGTH); sub(/^[ \t]*\[[^]]+\]:[ \t]+/, "", def)
        print NR "\t" def
      }
      while (match(line, /\]\([^)]*\)/)) {
        target = substr(line, RSTART + 2, RLENGTH - 3)
        sub(/[ \t].*$/, "", target)
        gsub(/^<|>$/, "", target)
        print NR "\t" target
        line = substr(line, RSTART + RLENGTH)
      }
    }' "$page")
done

# 2. The nav of mkdocs.yml, and pages missing from it.
nav_pages=$(awk '
  /^nav:/ { nav = 1; next }
  nav && /^[^ \t#]/ { nav = 0 }
  nav && /\.md[ \t]*$/ { sub(/^.*:[ \t]*/, ""); gsub(/["\x27 \t]/, ""); print }
' mkdocs.yml)
if [ -z "$nav_pages" ]; then
  fail "mkdocs.yml: no nav found"
fi
for p in $nav_pages; do
  checked=$((checked + 1))
  [ -f "docs/$p" ] || fail "mkdocs.yml: nav names docs/$p, which does not exist"
done
for page in $pages; do
  rel="${page#docs/}"
  grep -qxF "$rel" <<<"$nav_pages" || fail "$page is not in mkdocs.yml's nav"
done

# 3. Included files shown in full.
for page in $pages; do
  dir="$(dirname "$page")"
  while IFS=$'\t' read -r lineno include; do
    file="$(normalize "$dir/$include")"
    checked=$((checked + 1))
    if [ ! -f "$file" ]; then
      fail "$page:$lineno: include of a missing file: $include"
      continue
    fi
    shown="$(awk -v start="$lineno" '
      NR <= start { next }
      !open && /^[ \t]*$/ { next }
      !open && /^```/ { open = 1; next }
      !open { exit }
      open && /^```[ \t]*$/ { exit }
      open { print }
    ' "$page")"
    if [ "$shown" != "$(cat "$file")" ]; then
      fail "$page:$lineno: the block after the include marker differs from $file"
    fi
  done < <(grep -n '^<!-- include: [^ ]* -->[[:space:]]*$' "$page" | sed -E 's/^([0-9]+):<!-- include: ([^ ]*) -->.*$/\1\t\2/')
done

if [ "$failures" -gt 0 ]; then
  echo "check-links: $failures problem(s) in $checked checks" >&2
  exit 1
fi
echo "check-links: ok ($checked checks)"
