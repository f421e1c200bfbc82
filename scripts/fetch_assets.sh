#!/bin/sh
# Puts the offline page assets that come from Debian packages into static/vendor/ (git-ignored).
# Noto Sans Mongolian (package fonts-noto-core) renders traditional Mongolian script. Failing to find
# it is not fatal: pages then fall back to any Mongolian font installed on the viewer's system.
set -u
dest=static/vendor/fonts
font=NotoSansMongolian-Regular.ttf
[ -s "$dest/$font" ] && exit 0
mkdir -p "$dest"
for candidate in /usr/share/fonts/truetype/noto/$font /usr/share/fonts/noto/$font /usr/local/share/fonts/$font; do
  if [ -s "$candidate" ]; then cp "$candidate" "$dest/$font"; echo "assets: $font from $candidate"; exit 0; fi
done
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download fonts-noto-core >/dev/null 2>&1); then
    dpkg-deb -x "$tmp"/fonts-noto-core_*.deb "$tmp/x" && cp "$tmp/x/usr/share/fonts/truetype/noto/$font" "$dest/$font" \
      && echo "assets: $font from Debian package fonts-noto-core"
  fi
  rm -rf "$tmp"
fi
[ -s "$dest/$font" ] || echo "assets: $font not found; install Debian's fonts-noto-core for Mongolian script" >&2
exit 0
