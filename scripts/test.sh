#!/usr/bin/env bash
# Installs what the tests need and runs every test. This is the command the README gives and .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required and was not found on PATH (https://dotnet.microsoft.com/download)." >&2
  exit 1
fi

dotnet build Woodpecker.Orleans.sln -c Release -nologo -clp:ErrorsOnly
# Test assemblies run one after another (-m:1): several of them start processes, measure memory or time,
# and would disturb each other on a small machine.
dotnet test Woodpecker.Orleans.sln -c Release --no-build -m:1 -nologo --logger "console;verbosity=minimal" "$@"
