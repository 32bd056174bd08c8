#!/usr/bin/env bash
# Sets up dofviewer on a fresh Debian or Ubuntu machine:
#   1. the system libraries it needs (Mesa's OpenGL/EGL, X11 client libraries for the
#      window, Xvfb and xdotool for the window tests, Chromium for the check report
#      test), installed only if missing;
#   2. a virtual environment in .venv with dofviewer and its test tools installed.
# Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libegl1 libgl1 libegl-mesa0 libgl1-mesa-dri libglx-mesa0
          libx11-6 libxrandr2 libxinerama1 libxcursor1 libxi6 libxkbcommon0
          xvfb xauth xdotool
          chromium)  # tests/test_check.py screenshots the check report in it
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup: dofviewer needs Python 3.11 or newer ($python is $("$python" --version 2>&1))" >&2
    exit 1
fi
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    $sudo apt-get install -y -q python3-venv python3-pip
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q ".[test]"
echo "setup: ready ($(.venv/bin/dofviewer --version))" >&2
