#!/bin/sh
# Installs the Debian packages xverify needs to build, test and run, when they are absent.
# Arguments name more packages for optional targets (make valgrind, make fuzz).
set -eu
pkgs="build-essential pkg-config libsqlite3-dev sqlite3 libcsv-dev libxml2-dev libxml2-utils
libpcre2-dev libopencc-dev libopencc-data libxxhash-dev libssl-dev groff-base faketime
libxlsxwriter-dev libzip-dev python3-openpyxl chromium fonts-noto-cjk $*"
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
