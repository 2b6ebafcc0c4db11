#!/usr/bin/env bash
# Layerbench setup: installs node_modules (without install scripts, which would try to
# download Electron from GitHub and libtensorflow from Google storage) and then provides
# native TensorFlow for @tensorflow/tfjs-node from a registry or a local copy.
# Idempotent: a second run with nothing changed takes about a second.
#
#   bash scripts/native/setup.sh [--strict] [--force] [--bench] [--sources=pypi,official,lambda]
#
# Options are passed to scripts/native/install-native.mjs (see scripts/native/NOTES.md):
#   --strict  fail (exit 1) when native TensorFlow cannot be installed
#   --force   rebuild native TensorFlow even when an install verifies
# Environment: LAYERBENCH_LIBTENSORFLOW=<folder | .tar.gz | .whl> for air-gapped machines.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm_flags=(--ignore-scripts --no-audit --no-fund)

need_install=0
if [[ ! -d node_modules ]]; then
  need_install=1
elif [[ -f package-lock.json && ! -f node_modules/.package-lock.json ]]; then
  need_install=1
elif [[ -f package-lock.json && package-lock.json -nt node_modules/.package-lock.json ]]; then
  need_install=1
elif [[ ! -f package-lock.json ]]; then
  need_install=1
fi

if [[ $need_install == 1 ]]; then
  if [[ -f package-lock.json ]]; then
    echo "[setup] npm ci ${npm_flags[*]}"
    npm ci "${npm_flags[@]}"
  else
    echo "[setup] no package-lock.json: npm install ${npm_flags[*]}"
    npm install "${npm_flags[@]}"
  fi
else
  echo "[setup] node_modules is up to date with package-lock.json"
fi

node scripts/native/install-native.mjs "$@"
