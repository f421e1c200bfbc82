#!/bin/sh
# Browser tests drive Debian's Chromium (no browser download). Installs it, with fonts for Chinese and
# Mongolian, when it is missing and this user may install packages; otherwise says how and goes on —
# the browser tests then skip (or fail under REQUIRE_SERVICES=1, as in CI).
set -u
[ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -q "Noto Sans CJK" && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing chromium and fonts (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk fonts-noto-core >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk fonts-noto-core >/dev/null 2>&1; } \
    || echo "setup: could not install chromium; browser tests will be skipped" >&2
else
  echo "setup: browser tests need Debian's chromium, fonts-noto-cjk and fonts-noto-core (sudo apt-get install …)" >&2
fi
exit 0
