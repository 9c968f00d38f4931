#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/browser), only when /usr/bin/chromium is missing.
# Playwright's own browser download does not work here; the tests drive this Chromium instead.
# Never prompts (CI runs it as root with no terminal); as another user it needs sudo.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "Installing Debian's chromium for the browser tests"
as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
# fonts-dejavu-core: a bare machine may have no font at all, and the tests take a screenshot.
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
"$CHROMIUM" --version
