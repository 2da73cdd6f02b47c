#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, contract, HTTP and binary tests on SQLite and
# PostgreSQL), the end-to-end tests in headless Chromium, and the deployment validation.
# Installs what the browser tests need when it is missing (Debian's chromium, playwright-core
# from npm); the deployment validators install themselves from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace --locked

# The browser tests drive the real binary.
cargo build -p nectr-auth --locked

missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing for the browser tests: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "The browser tests need: ${missing[*]} (sudo apt-get install ${missing[*]}; or set CHROMIUM_PATH)." >&2
    exit 1
  fi
fi
if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  npm ci --prefix tests/e2e --no-audit --no-fund
fi
npm test --prefix tests/e2e

# Deployment material: Kubernetes manifests against the Kubernetes schemas, the compose file
# against the Compose schema, the Dockerfile through hadolint (packaged validators from PyPI).
scripts/validate-deploy.sh
