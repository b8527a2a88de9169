#!/usr/bin/env bash
# Runs the unit and end-to-end tests again under the newest Node.js LTS, besides the Node.js that
# runs `npm test`. The binary comes from the npm registry's `node` package, installed into .tmp/
# (git-ignored), never globally. "Newest LTS" is decided by the binary itself: the highest even
# major whose latest release reports an LTS codename (process.release.lts); an even major that has
# not reached LTS yet (its first six months) is skipped for the one below it.
set -euo pipefail
cd "$(dirname "$0")/.."

root=.tmp/node-lts
mkdir -p "$root"

versions_json=$(npm view node versions --json)
# Latest release of each even major, newest major first.
mapfile -t candidates < <(node -e '
  const versions = JSON.parse(process.argv[1]).filter((v) => /^\d+\.\d+\.\d+$/.test(v));
  const latest = new Map();
  for (const v of versions) {
    const [major, minor, patch] = v.split(".").map(Number);
    if (major % 2 !== 0) continue;
    const best = latest.get(major);
    if (!best || minor > best[1] || (minor === best[1] && patch > best[2])) latest.set(major, [v, minor, patch]);
  }
  for (const major of [...latest.keys()].sort((a, b) => b - a).slice(0, 3)) console.log(latest.get(major)[0]);
' "$versions_json")

node_bin=""
for version in "${candidates[@]}"; do
  dir="$root/$version"
  bin="$dir/node_modules/node/bin/node"
  if [ ! -x "$bin" ]; then
    echo "test-node-lts: installing node@$version into $dir" >&2
    rm -rf "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node@$version" >&2
  fi
  lts=$("$bin" -p 'process.release.lts || ""')
  if [ -n "$lts" ]; then
    node_bin="$bin"
    echo "test-node-lts: Node.js $version ($lts LTS)" >&2
    break
  fi
  echo "test-node-lts: Node.js $version is not an LTS release yet; trying the previous even major" >&2
done
if [ -z "$node_bin" ]; then
  echo "test-node-lts: no LTS release found among ${candidates[*]}" >&2
  exit 1
fi

# The tests start the CLI with the Node.js that runs them (process.execPath); PATH covers the rest.
export PATH="$(cd "$(dirname "$node_bin")" && pwd):$PATH"
node --version
exec node node_modules/vitest/vitest.mjs run "$@"
