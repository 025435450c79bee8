#!/usr/bin/env bash
# Makes sure Debian's Chromium, its matching ChromeDriver and a CJK font (for Chinese text in screenshots)
# are installed: the browser tests (tests/Tongxin.BrowserTests) drive /usr/bin/chromium through
# /usr/bin/chromedriver. Installs whatever is missing with apt-get (as root, or through sudo).
set -euo pipefail

packages=()
[[ -x /usr/bin/chromium ]] || packages+=(chromium)
[[ -x /usr/bin/chromedriver ]] || packages+=(chromium-driver)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || packages+=(fonts-noto-cjk)

if (( ${#packages[@]} > 0 )); then
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "ensure-chromium: missing ${packages[*]}, and not root: install them with apt-get." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # wait for another apt or dpkg run (e.g. tests/ensure-postgres.sh) instead of failing on its lock
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

echo "$(/usr/bin/chromium --version 2>/dev/null); $(/usr/bin/chromedriver --version | head -n1)"
