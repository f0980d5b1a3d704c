#!/usr/bin/env bash
# Installs the Debian packages the tuning benchmark reads (run as root, or through sudo):
#   bible-kjv-text, bible-kjv  the King James Bible (public domain) and the `bible` program that
#                              reads its compressed data file;
#   dict-gcide                 the GNU Collaborative International Dictionary of English (GPL;
#                              mostly Webster's 1913) as dictd files under /usr/share/dictd.
# Nothing from them is committed: `ascribe bench tuning` derives its text and pairs into its work
# directory (target/bench by default).
set -euo pipefail
packages=(bible-kjv-text bible-kjv dict-gcide)
installed=$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null | grep -c 'install ok installed' || true)
if [ "$installed" = "${#packages[@]}" ]; then
  echo "bench-data: ${packages[*]} already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "bench-data: run as root (sudo $0) to install ${packages[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh image has no package lists; update only when the first try cannot find the packages.
apt-get install -y --no-install-recommends "${packages[@]}" || {
  apt-get update
  apt-get install -y --no-install-recommends "${packages[@]}"
}
