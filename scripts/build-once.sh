# shellcheck shell=bash
# Source this (do not run it). The bookkeeping shared by the scripts that build parts once and
# reuse them (build-kube-control-plane.sh, build-kube-local-cluster.sh): each part is a folder
# whose `.built` stamp says it is complete, so an interrupted build is redone, never reused.
# The caller sets BUILD_SCRIPT (its name, the prefix of every line it prints).

elapsed() { echo "$((SECONDS - $1))s"; }

# check_built DIR...: exit 0 when every part is built, else print which are not and exit 1.
check_built() {
  local missing=() dir
  for dir in "$@"; do
    [[ -f "$dir/.built" ]] || missing+=("${dir#"$(pwd)/"}")
  done
  ((${#missing[@]} == 0)) && exit 0
  echo "$BUILD_SCRIPT: not built yet: ${missing[*]}"
  exit 1
}

# take_build_lock ROOT: one build at a time, since tests may start a build script while CI (or
# another test file) runs it; waits, saying so, for the other one to finish.
take_build_lock() {
  mkdir -p "$1"
  exec 9>"$1/.lock"
  if ! flock -n 9; then
    echo "$BUILD_SCRIPT: another build is running; waiting for it to finish"
    flock 9
  fi
}

# build_once LABEL DIR STAMP FUNCTION: unless DIR is stamped built, empty DIR, run FUNCTION (which
# fills it), say how long it took and stamp DIR with STAMP (the versions it was built from).
build_once() {
  local label=$1 dir=$2 stamp=$3 build=$4
  if [[ -f "$dir/.built" ]]; then
    echo "$BUILD_SCRIPT: $label already built in $dir"
    return
  fi
  local start=$SECONDS
  rm -rf "$dir"
  mkdir -p "$dir"
  "$build"
  echo "$BUILD_SCRIPT: built $label in $(elapsed "$start")"
  printf '%s\n' "$stamp" >"$dir/.built"
}
