#!/usr/bin/env bash
# The load benchmark of nectr-auth against a bare actix-web ceiling, on SQLite and
# PostgreSQL (see bench/README.md). Arguments are passed to nectr-bench, e.g.
#   scripts/bench.sh --databases sqlite --duration 5 --json bench.json
set -euo pipefail

# Paths below (target/release/...) are relative to the repository root.
cd "$(dirname "$0")/.."

# wrk is the load generator; the benchmark installs nothing itself, so it is installed here.
if ! command -v wrk >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    # A fresh machine may have no package lists yet; update only when the install fails.
    $sudo apt-get install -y wrk || { $sudo apt-get update && $sudo apt-get install -y wrk; }
fi

# Release builds only: a debug build would measure the compiler's settings, not the service.
cargo build --release -p nectr-auth -p nectr-bench

exec target/release/nectr-bench "$@"
