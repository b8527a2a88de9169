#!/usr/bin/env bash
# Installs what the test suite needs beyond Node.js: OpenLDAP's slapd and tools (the LDAP tests run a
# throwaway server), openssl (per-run test certificates), promtool (Debian's prometheus package: the
# alert rules' checks), python3 (the Airflow DAG's checks), and podman with runc (the container smoke
# test). Debian and Ubuntu; does nothing when everything is already there. Needs root or sudo only
# when something is missing.
set -euo pipefail

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# Debian installs slapd and slapadd in /usr/sbin, which is not on a non-root PATH.
{ command -v slapd || test -x /usr/sbin/slapd; } >/dev/null 2>&1 || missing+=(slapd)
{ command -v slapadd || test -x /usr/sbin/slapadd; } >/dev/null 2>&1 || missing+=(slapd)
command -v ldapsearch >/dev/null 2>&1 || missing+=(ldap-utils)
# `script` (util-linux) gives the progress-line tests a pseudo-terminal.
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
test -f /etc/ldap/schema/inetorgperson.schema || test -f /etc/openldap/schema/inetorgperson.schema || missing+=(slapd)
extra=()
command -v promtool >/dev/null 2>&1 || extra+=(prometheus)
command -v python3 >/dev/null 2>&1 || extra+=(python3)
command -v podman >/dev/null 2>&1 || extra+=(podman)
command -v runc >/dev/null 2>&1 || extra+=(runc)
missing+=("${extra[@]}")

# The Kubernetes manifests are rendered by kustomize (standalone, or inside kubectl 1.21 and later).
# Debian has no current package of either, so this only says so; the manifest tests fail without it.
if ! command -v kustomize >/dev/null 2>&1 && ! kubectl kustomize --help >/dev/null 2>&1; then
  echo "setup-test-deps: kustomize is missing: install kubectl (1.21 or later) or kustomize from the Kubernetes project's packages" >&2
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
# Always install the LDAP set together, plus whatever else is missing (apt de-duplicates).
packages=(slapd ldap-utils openssl bsdutils "${extra[@]}")
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-test-deps: missing ${missing[*]}; install OpenLDAP's slapd, its tools, openssl, promtool, python3, podman and runc with your package manager" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup-test-deps: run as root to install ${packages[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "setup-test-deps: installing ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}"
