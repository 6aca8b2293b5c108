#!/usr/bin/env bash
# Rebuilds bench/wasm/*.wasm from bench/src/*.c. The outputs are committed, so this is only needed
# after editing a source. Freestanding wasm32: no libc, no imports, only `run` (and memory) exported.
# -fno-builtin stops clang from turning loops into memset/memcpy calls that would need a libc.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p wasm
for src in src/*.c; do
  name="$(basename "$src" .c)"
  clang-19 --target=wasm32 -O2 -fno-builtin -nostdlib \
    -Wl,--no-entry -Wl,--export=run -Wl,--strip-all \
    -o "wasm/$name.wasm" "$src"
  echo "built wasm/$name.wasm ($(stat -c %s "wasm/$name.wasm") bytes)"
done
