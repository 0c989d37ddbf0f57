#!/usr/bin/env bash
# CLI start-up, side by side: `callperm --help` against `node -e 0` (a benchmark, not a test).
# Target: --help at most 3x node -e 0 (issue 13). Medians over RUNS runs (default 20), peak RSS from
# /usr/bin/time when it is there.
#
#   bash bench/cliStartup.sh                     # builds, then times the compiled CLI (what npm installs)
#   bash bench/cliStartup.sh /path/to/callperm   # times that executable instead (e.g. an `npm i -g` one)
#
# In the workspace, packages/cli/bin/callperm.js runs the TypeScript sources through tsx; that form is
# timed too, for information only (it is the development path, not what users install).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-20}

if [ $# -gt 0 ]; then
  installed=("$1")
else
  npx -y pnpm@12.4.2 build >/dev/null 2>&1 || { echo "build failed: run npx -y pnpm@12.4.2 build" >&2; exit 1; }
  # What the installed bin runs: dist/main.js (the bin adds one existsSync before importing it).
  installed=(node packages/cli/dist/main.js)
fi

# Median wall time in ms of running "$@" $runs times (output discarded), after one warm-up run.
median_ms() {
  "$@" >/dev/null 2>&1 || true
  local times=() i start end
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}

rss_mb() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.0f", $1 / 1024 }'
  else
    printf 'n/a'
  fi
}

base=$(median_ms node -e 0)
help=$(median_ms "${installed[@]}" --help)
dev=$(median_ms node packages/cli/bin/callperm.js --help)
printf '%-44s %10s %8s %8s\n' command 'median ms' ratio 'RSS MB'
printf '%-44s %10s %8s %8s\n' 'node -e 0' "$base" 1.00 "$(rss_mb node -e 0)"
printf '%-44s %10s %8s %8s\n' "callperm --help (compiled)" "$help" "$(awk -v a="$help" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" "$(rss_mb "${installed[@]}" --help)"
printf '%-44s %10s %8s %8s\n' "callperm --help (workspace bin, tsx)" "$dev" "$(awk -v a="$dev" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" "$(rss_mb node packages/cli/bin/callperm.js --help)"
awk -v a="$help" -v b="$base" 'BEGIN { r = a / b; printf "target <= 3.00x: %s (%.2fx)\n", (r <= 3 ? "met" : "MISSED"), r }'
