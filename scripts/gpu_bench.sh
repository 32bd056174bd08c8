#!/usr/bin/env bash
# Runs `dofviewer bench` headless through EGL on a GPU machine and writes its JSON.
#   bash scripts/gpu_bench.sh [OUT.json]
# Needs the package installed (scripts/setup.sh) or importable from this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-gpu-bench.json}
python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || python=python3
PYTHONPATH=${PYTHONPATH:-$PWD} "$python" -m dofviewer bench \
    --sizes 1280x720,1920x1080,3840x2160 --frames 60 --warmup 10 --json "$out"
