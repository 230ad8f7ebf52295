#!/usr/bin/env bash
# Vets and tests fogbench's Go code: the OpenFaaS provider (harness/openfaas/provider) and the
# link delay relay (harness/targets/local/link-delay, vetted only: it needs TAP devices and
# root to run). go-env.sh makes the OpenFaaS module mirror reachable when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."

# go-env.sh is shellchecked on its own; not following it keeps this clean without -x.
# shellcheck source=/dev/null
source scripts/go-env.sh
if ! command -v go >/dev/null 2>&1; then
  echo "go-test: the Go toolchain is needed (go on PATH or in /usr/local/go): install Go 1.26 or later" >&2
  exit 1
fi

(
  cd harness/openfaas/provider
  go vet ./...
  go test ./...
)
(
  cd harness/targets/local/link-delay
  go vet ./...
)
