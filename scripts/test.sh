#!/usr/bin/env bash
# Installs what the tests need and runs every test. This is the command the README gives and .ci/run calls.
#   - etcd (Debian's etcd-server package) for the etcd metadata and fencing tests
#   - Node.js + the npm packages pinned in package-lock.json (s3rver for the S3 tests, @grpc/grpc-js for interop)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required and was not found on PATH (https://dotnet.microsoft.com/download)." >&2
  exit 1
fi

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "Installing $* needs root (apt-get). Install it yourself, or run this script as root." >&2; exit 1
    fi
  fi
  echo "Installing $* (apt-get) ..."
  $sudo apt-get install -y -q "$@" >/dev/null 2>&1 || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "$@" >/dev/null; }
}

if ! command -v etcd >/dev/null 2>&1; then
  apt_install etcd-server
fi
# The Debian package may start a system etcd on the default ports; the tests start their own on free ports.

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
# npm ci installs exactly what package-lock.json pins; skipped when node_modules already matches the lock file.
lock_stamp="node_modules/.package-lock.json"
if [ ! -f "$lock_stamp" ] || [ package-lock.json -nt "$lock_stamp" ] || [ ! -x node_modules/.bin/s3rver ]; then
  echo "Installing the test servers from package-lock.json (npm ci) ..."
  npm ci --no-audit --no-fund --loglevel=error
fi

dotnet build Woodpecker.Orleans.sln -c Release -nologo -clp:ErrorsOnly
# Test assemblies run one after another (-m:1): several of them start processes and servers, measure memory or
# time, and would disturb each other on a small machine.
dotnet test Woodpecker.Orleans.sln -c Release --no-build -m:1 -nologo --logger "console;verbosity=minimal" "$@"
