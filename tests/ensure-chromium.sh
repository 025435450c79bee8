#!/usr/bin/env bash
# Makes sure Debian's headless-capable Chromium and its matching ChromeDriver are installed
# (the browser tests in tests/Tongxin.BrowserTests drive them). Installs them when missing; needs root.
set -euo pipefail

if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present); chromedriver: $(/usr/bin/chromedriver --version 2>/dev/null | head -n1)"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "ensure-chromium: chromium/chromedriver missing and not root; install Debian's 'chromium' and 'chromium-driver'." >&2
    exit 1
  fi
else
  SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk

/usr/bin/chromium --version
/usr/bin/chromedriver --version | head -n1
