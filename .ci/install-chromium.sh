#!/usr/bin/env bash
# Installs Debian's headless Chromium for the chart page's browser test (playwright-core drives
# /usr/bin/chromium; Playwright's own browser download does not work here). Idempotent: does
# nothing when Chromium is already installed.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && [ -x /usr/bin/chromium ]; then
  echo "chromium: $(chromium --version 2>/dev/null || echo installed)"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
"${SUDO[@]}" apt-get install -y chromium fonts-liberation
echo "chromium: $(chromium --version 2>/dev/null || echo installed)"
