#!/bin/sh
# Install the Debian/Ubuntu packages the system needs, when run as root;
# otherwise print the exact command for an administrator to run.
#   espeak-ng: Vietnamese text-to-speech    ffmpeg: audio loudness and encoding
#   gettext:   compiles the Vietnamese UI   mosquitto: the loudspeakers' broker
#   chromium:  browser tests and board screenshots
#   fonts-dejavu-core: Vietnamese glyphs in PDF exports
set -eu
need=""
have() { command -v "$1" >/dev/null 2>&1; }
have espeak-ng || need="$need espeak-ng"
have ffmpeg || need="$need ffmpeg"
have msgfmt || need="$need gettext"
# Debian puts the broker in /usr/sbin, which a user's PATH may not have.
have mosquitto || [ -x /usr/sbin/mosquitto ] || need="$need mosquitto"
if [ "${1:-}" = "--test" ]; then
    have chromium || need="$need chromium"
fi
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need="$need fonts-dejavu-core"
python3 -c 'import ensurepip' >/dev/null 2>&1 || need="$need python3-venv"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "Installing system packages:$need"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null; }
else
    echo "Missing system packages. Ask an administrator to run:"
    echo "    sudo apt-get install -y$need"
    exit 1
fi
