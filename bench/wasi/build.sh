#!/bin/sh
# Rebuilds bench/wasi/fsops.wasm (committed) from fsops.c with clang-19 and wasi-libc.
set -eu
cd "$(dirname "$0")"
clang-19 --target=wasm32-wasi --sysroot=/usr -O2 -fuse-ld=lld -Wl,--strip-all -o fsops.wasm fsops.c
echo "built bench/wasi/fsops.wasm ($(stat -c %s fsops.wasm) bytes)"
