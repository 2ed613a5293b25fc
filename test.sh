#!/usr/bin/env bash
# Builds and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
dotnet test Strata.slnx -c Release "$@"
