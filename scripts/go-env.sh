# shellcheck shell=bash
# Source this (do not run it): `source scripts/go-env.sh`. It points the go command at the
# OpenFaaS module mirror in ../shared/goproxy when that folder exists, because the module
# proxy of the build machines refuses github.com/openfaas/*; on a machine with normal
# internet access there is no mirror and nothing changes. The mirror goes first and the
# usual proxy after it, for every other module. harness/openfaas/binaries/go-env.ts does the
# same for the TypeScript build, so shell and harness builds resolve the same modules.
#
# Safe to source twice, and it never exits: it is read into the caller's shell.

# Go is often installed without being put on PATH (the official tarball in /usr/local/go).
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="$PATH:/usr/local/go/bin"
fi

fogbench_go_mirror="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/../shared/goproxy"
if [[ -d "$fogbench_go_mirror" ]] && command -v go >/dev/null 2>&1; then
  fogbench_go_mirror="file://$(cd "$fogbench_go_mirror" && pwd)"
  fogbench_go_proxy="$(go env GOPROXY)"
  case "$fogbench_go_proxy" in
    "$fogbench_go_mirror",*) ;;
    *) export GOPROXY="$fogbench_go_mirror,$fogbench_go_proxy" ;;
  esac
  # The public checksum database has no entry for the mirror's pseudo-versions.
  fogbench_go_nosumdb="$(go env GONOSUMDB)"
  case ",$fogbench_go_nosumdb," in
    *,github.com/openfaas,*) ;;
    ,,) export GONOSUMDB=github.com/openfaas ;;
    *) export GONOSUMDB="$fogbench_go_nosumdb,github.com/openfaas" ;;
  esac
  unset fogbench_go_proxy fogbench_go_nosumdb
fi
unset fogbench_go_mirror
