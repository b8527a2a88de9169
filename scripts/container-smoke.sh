#!/usr/bin/env bash
# Builds the Dockerfile with podman and runs the image the way a CronJob does: as the non-root user,
# read-only root filesystem, no capabilities. Checks `--version`, `demo`, and a `plan` against a
# GrowthBook emulator on loopback with the sample LDIF export and data.yaml mounted read-only.
#
# No registry image is pulled: the base image is assembled from this machine's own Node.js (the
# binary, npm, the shared libraries they load, a shell, the CA bundle) and passed as BASE_IMAGE.
# Everything lives in a temporary podman storage root that is deleted at the end: nothing is cached
# between runs.
#
# When podman is missing or cannot run a container here, prints "SKIPPED: <reason>" and exits 0.
# Any failure after that point is a real failure (exit 1).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$(date +%s)
say() { printf 'container-smoke: %s\n' "$*"; }
skip() {
  printf 'container-smoke: SKIPPED: %s\n' "$*"
  exit 0
}
fail() {
  printf 'container-smoke: FAILED: %s\n' "$*" >&2
  exit 1
}

command -v podman >/dev/null 2>&1 || skip "podman is not installed (scripts/setup-test-deps.sh installs podman and runc)"
command -v runc >/dev/null 2>&1 || skip "runc is not installed (scripts/setup-test-deps.sh installs podman and runc)"
[ -d dist ] || fail "dist/ is missing: run npm ci (or npm run build) first"

work=$(mktemp -d "${TMPDIR:-/tmp}/gbsync-smoke-XXXXXX")
emulator_pid=
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  podman_ system reset --force >/dev/null 2>&1 || true
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

# runc, no default ulimits (raising them fails in an unprivileged sandbox), cgroupfs, file events.
cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_CONF="$work/containers.conf"
podman_() { podman --root "$work/storage" --runroot "$work/run" --storage-driver overlay "$@"; }

# --- the base image: this machine's Node.js, laid out like the official images (/usr/local) --------
node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(npm root -g)/npm
[ -f "$npm_dir/bin/npm-cli.js" ] || fail "npm not found at $npm_dir"
root="$work/rootfs"
mkdir -p "$root"/{bin,usr/bin,usr/local/bin,usr/local/lib/node_modules,etc/ssl/certs,tmp,root}
chmod 1777 "$root/tmp"
cp "$node_bin" "$root/usr/local/bin/node"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
sh_bin=$(readlink -f "$(command -v dash || command -v sh)")
cp "$sh_bin" "$root/bin/sh"
# env runs npm's `#!/usr/bin/env node`; rm is what the Dockerfile's cleanup step calls.
tools=("$(readlink -f "$(command -v env)")" "$(readlink -f "$(command -v rm)")")
cp "${tools[0]}" "$root/usr/bin/env"
cp "${tools[1]}" "$root/bin/rm"
ca=/etc/ssl/certs/ca-certificates.crt
[ -s "$ca" ] || fail "no CA bundle at $ca (Debian package ca-certificates)"
cp "$ca" "$root/etc/ssl/certs/ca-certificates.crt"
cp /etc/nsswitch.conf "$root/etc/" 2>/dev/null || true
cp /etc/resolv.conf "$root/etc/" 2>/dev/null || true
# npm inside the build trusts what npm here trusts (a site CA for an intercepting proxy, say).
cafile=$(npm config get cafile 2>/dev/null || true)
mkdir -p "$root/usr/local/etc"
if [ -n "$cafile" ] && [ "$cafile" != null ] && [ -s "$cafile" ]; then
  cp "$cafile" "$root/etc/ssl/certs/npm-ca.crt"
  printf 'cafile=/etc/ssl/certs/npm-ca.crt\n' >"$root/usr/local/etc/npmrc"
fi
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
# Every shared library the binaries load, at the same path.
for bin in "$node_bin" "$sh_bin" "${tools[@]}"; do
  ldd "$bin" | awk '/=> \//{print $3} /^\t\/[^ ]+/{print $1}'
done | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# Debian keeps the loader under /lib64 through a /lib symlink on merged-/usr systems: mirror both.
for dir in lib lib64; do
  if [ -L "/$dir" ] && [ ! -e "$root/$dir" ]; then ln -s "$(readlink "/$dir")" "$root/$dir"; fi
done

base=localhost/gbsync-smoke-base:local
t0=$(date +%s)
if ! tar -C "$root" -c . | podman_ import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV HOME=/root' --change 'ENV NPM_CONFIG_UPDATE_NOTIFIER=false' - "$base" >"$work/import.log" 2>&1; then
  skip "podman cannot import an image here: $(tail -n 1 "$work/import.log")"
fi
# Can this machine run a container at all?
if ! probe=$(podman_ run --rm --network none "$base" node --version 2>&1); then
  skip "podman cannot run containers here: $(printf '%s' "$probe" | tail -n 1)"
fi
say "base image from local Node.js $probe ($(($(date +%s) - t0)) s)"

# --- the image, from the Dockerfile as it is --------------------------------------------------------
image=localhost/growthbook-ldap-sync:smoke
t0=$(date +%s)
# The build stage runs `npm ci`, which needs the npm registry: use the host's network for the build.
if ! podman_ build --layers=false --network host --build-arg "BASE_IMAGE=$base" -t "$image" -f Dockerfile . \
  >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  fail "podman build failed"
fi
say "image built ($(($(date +%s) - t0)) s)"

user=$(podman_ image inspect --format '{{.Config.User}}' "$image")
[ "$user" = "65532:65532" ] || fail "image user is '$user', expected 65532:65532"
# No package manager in the final image.
if podman_ run --rm --network none --entrypoint /bin/sh "$image" -c \
  'test -e /usr/local/bin/npm || test -e /usr/local/lib/node_modules/npm'; then
  fail "npm is still in the final image"
fi
podman_ run --rm --network none --entrypoint /bin/sh "$image" -c 'test -s /etc/ssl/certs/ca-certificates.crt' ||
  fail "no CA bundle at /etc/ssl/certs/ca-certificates.crt in the final image"
say "runs as $user; no npm in the final image; CA bundle present"

# As a CronJob runs it: non-root, read-only root, no writable /tmp, no capabilities, no privileges.
run_locked() {
  podman_ run --rm --read-only --read-only-tmpfs=false --user 65532:65532 --cap-drop ALL \
    --security-opt no-new-privileges "$@"
}

version=$(run_locked --network none "$image" --version)
expected=$(node -p 'require("./package.json").version')
[ "$version" = "$expected" ] || fail "--version printed '$version', expected '$expected'"
say "--version: $version"

run_locked --network none "$image" demo >"$work/demo.txt" 2>"$work/demo.err" ||
  { cat "$work/demo.err" >&2; fail "demo exited $?"; }
grep -q 'growthbook-ldap-sync demo' "$work/demo.txt" || fail "demo printed no report"
say "demo: $(grep -c . "$work/demo.txt") lines, exit 0"

# --- plan: emulator on loopback, LDIF + data.yaml mounted read-only ---------------------------------
mkdir -p "$work/smoke"
cp demo/directory.ldif demo/data.yaml "$work/smoke/"
key="secret_admin_smoke$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
GBSYNC_SMOKE_KEY=$key node -e '
  const seed = JSON.parse(require("fs").readFileSync("demo/growthbook-seed.json", "utf8"));
  seed.apiKeys = [{ key: process.env.GBSYNC_SMOKE_KEY, role: "admin" }];
  process.stdout.write(JSON.stringify(seed));' >"$work/seed.json"
node dist/emulator/main.js --seed "$work/seed.json" >"$work/emulator.url" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/emulator.url" ] && break
  sleep 0.1
done
url=$(head -n 1 "$work/emulator.url")
[ -n "$url" ] || fail "the emulator did not start: $(cat "$work/emulator.err")"
cat >"$work/smoke/config.yaml" <<EOF
growthbook:
  url: $url
  project: prj_2wikimedia0demo
  emailDomains: [wikimedia.org]
  requestsPerMinute: 600
ldap:
  file: /smoke/directory.ldif
  peopleBase: ou=people,dc=wikimedia,dc=org
  groupBase: ou=groups,dc=wikimedia,dc=org
posix:
  file: /smoke/data.yaml
EOF
chmod -R a+rX "$work/smoke"
code=0
run_locked --network host -v "$work/smoke:/smoke:ro" -e GROWTHBOOK_LDAP_SYNC_API_KEY="$key" \
  -e SYNC_DEADLINE_SECONDS=120 "$image" plan --config /smoke/config.yaml --output json \
  >"$work/plan.json" 2>"$work/plan.err" || code=$?
[ "$code" -eq 0 ] || { tail -n 20 "$work/plan.err" >&2; fail "plan exited $code"; }
if grep -qF "$key" "$work/plan.json" "$work/plan.err"; then fail "the API key appeared in the output"; fi
summary=$(node -e '
  const doc = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const s = doc.summary;
  if (doc.mode !== "plan" || s.revoke + s.downgrade + s.upgrade + s.grant === 0) process.exit(1);
  console.log(Object.entries(s).map(([k, v]) => `${k} ${v}`).join(", "));' "$work/plan.json") ||
  fail "the plan document is not what the sample data gives: $(head -c 300 "$work/plan.json")"
say "plan against the emulator at $url: $summary"

say "passed in $(($(date +%s) - started)) s"
