#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages: Debian's Chromium (end-to-end tests through
# Playwright), Xvfb, and Python's TensorFlow CPU (the Keras round-trip tests). Idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
for pkg in chromium xvfb xauth; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "[setup:test] please install: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "[setup:test] apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ -f test/python/requirements.txt ]]; then
  python=${LAYERBENCH_PYTHON:-python3}
  echo "[setup:test] pip install -r test/python/requirements.txt"
  "$python" -m pip install -q --disable-pip-version-check --no-cache-dir -r test/python/requirements.txt
fi
