#!/usr/bin/env bash
# Install the headless browser the HTML exporter's integration tests drive.
#
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver are both there.
# Otherwise installs Debian's `chromium` and `chromium-driver` with apt-get, as root or through
# sudo. Only Debian's package archive is used: no browser build is downloaded from elsewhere.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
DRIVER=/usr/bin/chromedriver

if [[ -x "$CHROMIUM" && -x "$DRIVER" ]]; then
    echo "install-chromium: $CHROMIUM and $DRIVER already present; nothing to do"
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-chromium: need root or sudo to apt-get install chromium chromium-driver" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: apt-get not found; install chromium and chromedriver by hand" >&2
    exit 1
fi

echo "install-chromium: installing chromium and chromium-driver with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq chromium chromium-driver

for exe in "$CHROMIUM" "$DRIVER"; do
    if [[ ! -x "$exe" ]]; then
        echo "install-chromium: $exe still missing after the install" >&2
        exit 1
    fi
done
echo "install-chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
