#!/usr/bin/env bash
# Rebuilds bench/wasm/*.wasm from bench/src/*.c. The outputs are committed, so this is only needed
# after editing a source. Freestanding wasm32: no libc, no imports, only `run` (and memory) exported.
# -fno-builtin stops clang from turning loops into memset/memcpy calls that would need a libc.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p wasm
build() { # output name, source, extra flags
  clang-19 --target=wasm32 -O2 -fno-builtin -nostdlib "${@:3}" \
    -Wl,--no-entry -Wl,--export=run -Wl,--strip-all \
    -o "wasm/$1.wasm" "$2"
  echo "built wasm/$1.wasm ($(stat -c %s "wasm/$1.wasm") bytes)"
}
for src in src/*.c; do
  name="$(basename "$src" .c)"
  case "$name" in
    # SIMD kernels: the same C twice, vectorised (-msimd128) and scalar, to compare the two builds.
    *_simd)
      build "$name" "$src" -msimd128
      build "${name%_simd}_scalar" "$src"
      ;;
    *) build "$name" "$src" ;;
  esac
done
