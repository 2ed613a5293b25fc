#!/usr/bin/env bash
# Builds and runs the whole test suite. The remote-tier tests need a Redis-protocol server: Debian's redis-server
# (installed here if missing) or, failing that, Garnet from the repository's dotnet tool manifest.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq redis-server >/dev/null || echo "warning: could not install redis-server; the remote-tier tests will use Garnet" >&2
fi
dotnet tool restore >/dev/null
dotnet test Strata.slnx -c Release "$@"
