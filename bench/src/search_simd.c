// SIMD kernel: memchr-style byte search. With -msimd128 it compares 16 bytes at a time
// (i8x16.eq, i8x16.bitmask, ctz); without, the same search goes byte by byte. Each pass looks for
// bytes that occur late in a 64 KiB buffer, so most of the buffer is scanned.

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define N 65536

static unsigned char buf[N];

static int find(const unsigned char *p, int len, unsigned char c) {
  int i = 0;
#ifdef __wasm_simd128__
  v128_t needle = wasm_i8x16_splat((char)c);
  for (; i + 16 <= len; i += 16) {
    int mask = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(p + i), needle));
    if (mask) return i + __builtin_ctz(mask);
  }
#endif
  for (; i < len; i++) if (p[i] == c) return i;
  return -1;
}

int run(int n) {
  unsigned r = 99;
  // Bytes 0..199 everywhere; 200..255 only near the end, one each.
  for (int i = 0; i < N; i++) buf[i] = (unsigned char)(((r = r * 1103515245u + 12345u) >> 16) % 200);
  for (int k = 0; k < 56; k++) buf[N - 1 - 37 * k] = (unsigned char)(200 + k);
  int checksum = 0;
  for (int pass = 0; pass < n; pass++) {
    checksum = checksum * 31 + find(buf, N, (unsigned char)(200 + pass % 57));
  }
  return checksum;
}
