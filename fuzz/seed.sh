#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ (not committed) with the seed inputs: the committed ones of
# fuzz/seeds/<target>/ (regenerate them with fuzz/seeds/generate.py), plus, for `bundle`,
# every fixture packed as text (too large to commit) with each of its submissions.
set -euo pipefail
cd "$(dirname "$0")"
for t in merge bundle wizard; do
  mkdir -p "corpus/$t"
  cp seeds/"$t"/* "corpus/$t/"
done
packed=$(mktemp -d)
trap 'rm -rf "$packed"' EXIT
for dir in ../fixtures/*/; do
  name=$(basename "$dir")
  [ -f "$dir/bundle.json" ] || continue
  cargo run -q --locked --manifest-path ../Cargo.toml -p onething-cli -- pack "$dir" -o "$packed/$name.json"
  date=$(sed -n 's/.*"evaluation_date": *"\([0-9-]*\)".*/\1/p' "$dir/fixture.json")
  for s in "$dir"/submissions/valid-*.json; do
    { cat "$packed/$name.json"; printf '\0'; cat "$s"; printf '\0%s' "$date"; } \
      > "corpus/bundle/packed-$name-$(basename "$s" .json)"
  done
done
echo "seeds: $(ls corpus/merge | wc -l) merge, $(ls corpus/bundle | wc -l) bundle, $(ls corpus/wizard | wc -l) wizard"
