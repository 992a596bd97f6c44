#!/usr/bin/env bash
# Regenerates the test fixtures under test/fixtures from real runtimes. Run by hand, never in CI:
#
#   scripts/make-fixtures.sh goldens        # go tool pprof's output for each line of go/golden/COMMANDS,
#                                           # from the committed Go profiles (reproducible: check with git diff)
#   scripts/make-fixtures.sh go             # new Go profiles (Go toolchain: Debian golang-go), then the goldens
#   scripts/make-fixtures.sh v8 [NODE]      # new V8 files (snapshots, .cpuprofile, .heapprofile) with NODE
#                                           # (default: node on PATH); the tests expect Node 20's formats
#
# Go profiles and V8 files differ from run to run (addresses, timings, sample choices), so regenerating
# them changes the numbers the tests assert on: run the whole suite after, and regenerate the goldens with
# the profiles (the `go` step does both).
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=$PWD/test/fixtures
step=${1:-}

goldens() {
  command -v go >/dev/null || { echo "make-fixtures: go is missing: apt-get install golang-go" >&2; exit 1; }
  cd "$fixtures/go"
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    name=${line%%:*}
    command=${line#*: }
    # `go tool pprof ARGS`, run in go/ (where the profiles are), stdout and stderr together, in UTC.
    read -r -a words <<<"$command"
    TZ=UTC HOME=$(mktemp -d) "${words[@]}" >"golden/$name.txt" 2>&1 || true
  done <golden/COMMANDS
  cd - >/dev/null
  echo "make-fixtures: goldens written to test/fixtures/go/golden"
}

go_profiles() {
  command -v go >/dev/null || { echo "make-fixtures: go is missing: apt-get install golang-go" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  # Module `goexp`, built with -trimpath, so the profiles say goexp/main.go and runtime/proc.go.
  mkdir -p "$work/src"
  cp "$fixtures/go/fetcher.go.txt" "$work/src/main.go"
  (cd "$work/src" && printf 'module goexp\n\ngo 1.19\n' >go.mod && GOFLAGS=-mod=mod go build -trimpath -o "$work/fetcher" .)
  (cd "$work" && ./fetcher)
  cp "$work/cpu.pb.gz" "$work/heap_t1.pb.gz" "$work/heap_t2.pb.gz" "$fixtures/go/"
  echo "make-fixtures: Go profiles written to test/fixtures/go"
  goldens
}

v8_files() {
  local node=${1:-node}
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  cp "$fixtures/v8/leaky-fetcher.js.txt" "$work/leaky-fetcher.js"
  (cd "$work" && "$node" leaky-fetcher.js leaky.heapsnapshot && "$node" leaky-fetcher.js fixed.heapsnapshot --fixed)
  gzip -9 -n -c "$work/leaky.heapsnapshot" >"$fixtures/v8/leaky.heapsnapshot.gz"
  gzip -9 -n -c "$work/fixed.heapsnapshot" >"$fixtures/v8/fixed.heapsnapshot.gz"
  (cd "$work" && "$node" --heap-prof --heap-prof-name=leaky.heapprofile leaky-fetcher.js >/dev/null)
  (cd "$work" && "$node" --cpu-prof --cpu-prof-name=leaky.cpuprofile leaky-fetcher.js >/dev/null)
  cp "$work/leaky.heapprofile" "$work/leaky.cpuprofile" "$fixtures/v8/"
  echo "make-fixtures: V8 files written to test/fixtures/v8 with $("$node" --version)"
}

case "$step" in
  goldens) goldens ;;
  go) go_profiles ;;
  v8) v8_files "${2:-node}" ;;
  *) echo "usage: scripts/make-fixtures.sh goldens | go | v8 [NODE]" >&2; exit 2 ;;
esac
