#!/bin/sh
# Install the Debian/Ubuntu packages the system needs, when run as root;
# otherwise print the exact command for an administrator to run.
#   espeak-ng: Vietnamese text-to-speech    ffmpeg: audio loudness and encoding
#   gettext:   compiles the Vietnamese UI   mosquitto: the loudspeakers' broker
#   icecast2:  the live broadcasts' stream server (we run our own instance;
#              Debian's service is never started: see below)
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
have icecast2 || [ -x /usr/bin/icecast2 ] || need="$need icecast2"
if [ "${1:-}" = "--test" ]; then
    have chromium || need="$need chromium"
fi
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need="$need fonts-dejavu-core"
python3 -c 'import ensurepip' >/dev/null 2>&1 || need="$need python3-venv"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "Installing system packages:$need"
    # Debian's icecast2 would start its own service on port 8000 (the web
    # process's): refuse every service start during the install.
    policy=/usr/sbin/policy-rc.d
    made_policy=""
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
    fi
    trap 'if [ -n "$made_policy" ]; then rm -f "$policy"; fi' EXIT
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need >/dev/null; }
else
    echo "Missing system packages. Ask an administrator to run:"
    echo "    sudo apt-get install -y$need"
    case "$need" in *icecast2*)
        echo "and stop Debian's own Icecast service (grassroots runs its own):"
        echo "    sudo systemctl disable --now icecast2" ;;
    esac
    exit 1
fi
