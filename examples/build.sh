#!/bin/sh
# Rebuilds the example programs (clang-19 + wasi-libc): sh examples/build.sh
set -eu
cd "$(dirname "$0")"
clang-19 --target=wasm32-wasi --sysroot=/usr -O2 -fuse-ld=lld -Wl,--strip-debug -o wordcount.wasm wordcount.c
