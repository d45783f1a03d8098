#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages `make test` needs beyond Go and Node: Chromium for the browser tests
# (and NSS certutil, with which the HTTPS test has Chromium trust Valet's local CA),
# GTK/WebKit headers for the desktop build, Xvfb and ImageMagick for the desktop smoke test. As root it
# installs them; with passwordless sudo it uses sudo; otherwise it prints the command to run.
set -euo pipefail
packages=(chromium libnss3-tools libgtk-3-dev libwebkit2gtk-4.1-dev xvfb xauth imagemagick curl pkg-config gcc)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "ensure-deps: missing ${missing[*]}, and this is not a Debian/Ubuntu machine: install their equivalents" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "ensure-deps: the tests need these packages: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "ensure-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
