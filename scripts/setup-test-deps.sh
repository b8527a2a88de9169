#!/usr/bin/env bash
# Installs what the test suite needs beyond Node.js: OpenLDAP's slapd and tools (the LDAP tests run a
# throwaway server) and openssl (per-run test certificates). Debian and Ubuntu; does nothing when
# everything is already there. Needs root or sudo only when something is missing.
set -euo pipefail

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# Debian installs slapd and slapadd in /usr/sbin, which is not on a non-root PATH.
{ command -v slapd || test -x /usr/sbin/slapd; } >/dev/null 2>&1 || missing+=(slapd)
{ command -v slapadd || test -x /usr/sbin/slapadd; } >/dev/null 2>&1 || missing+=(slapd)
command -v ldapsearch >/dev/null 2>&1 || missing+=(ldap-utils)
test -f /etc/ldap/schema/inetorgperson.schema || test -f /etc/openldap/schema/inetorgperson.schema || missing+=(slapd)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
# Always install the set together (apt de-duplicates).
packages=(slapd ldap-utils openssl)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-test-deps: missing ${missing[*]}; install OpenLDAP's slapd, its tools and openssl with your package manager" >&2
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
