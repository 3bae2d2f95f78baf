#!/usr/bin/env bash
# Runs every fuzz target for a short time (CI's "fuzz smoke" step; see README.md, "Fuzzing").
# Needs a nightly toolchain; installs cargo-fuzz when missing. Fails when a target finds a
# crash, which libFuzzer leaves in fuzz/artifacts/<target>/.
#
#   ONETHING_FUZZ_SECONDS  seconds per target (default 60)
#   ONETHING_FUZZ_TARGETS  targets to run (default: "merge bundle wizard")
set -euo pipefail
cd "$(dirname "$0")"
seconds=${ONETHING_FUZZ_SECONDS:-60}
targets=${ONETHING_FUZZ_TARGETS:-merge bundle wizard}

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo +nightly install cargo-fuzz --locked
fi
./seed.sh
# Safe Rust (the crates forbid `unsafe`): no sanitizer, so builds and runs are about twice
# as fast; 16 codegen units keep the build to a few minutes on two cores.
build=(-s none --codegen-units 16)
cargo +nightly fuzz build "${build[@]}"
failed=()
for t in $targets; do
  case $t in
    bundle) extra=(-max_len=262144 -timeout=30) ;;
    wizard) extra=(-timeout=30) ;;
    merge) extra=(-timeout=10 -dict=merge.dict) ;;
    *) extra=() ;;
  esac
  echo "fuzz $t for ${seconds}s"
  # A crash makes cargo fuzz exit non-zero; the other targets still run.
  if cargo +nightly fuzz run "${build[@]}" "$t" "corpus/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" 2>"corpus/$t.log"; then
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec)' "corpus/$t.log" || true
  else
    grep -A 12 -m 1 'panicked at' "corpus/$t.log" >&2 || tail -n 40 "corpus/$t.log" >&2
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "error: fuzz target(s) ${failed[*]} failed; inputs in fuzz/artifacts/<target>/ (README.md, Fuzzing)" >&2
  exit 1
fi
