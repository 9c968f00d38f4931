#!/usr/bin/env bash
# Installs Debian's Redis, PostgreSQL and nginx for the scaled profile (`make run-scaled`, tests/scaled,
# `make bench`), only those whose server program is missing. The project starts its own instances of them
# (clinic_bot/launcher/services.py) on loopback, with their data under var/ or a test's folder; the
# packages' own system services are not used.
# Never prompts (CI runs it as root with no terminal); as another user it needs sudo.
set -euo pipefail
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian's ${missing[*]} for the scaled profile"
# policy-rc.d exit 101: the packages must not start their system services (ports 80, 5432, 6379);
# the project runs its own instances. Removed again afterwards if this script created it.
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
  created_policy=1
fi
trap '[ -n "$created_policy" ] && as_root rm -f /usr/sbin/policy-rc.d' EXIT
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
