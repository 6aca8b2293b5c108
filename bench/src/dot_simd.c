// SIMD kernel: dot product of two i16 arrays accumulated in i32 (clang vectorizes it with
// -msimd128: widening multiplies and i32x4 adds), repeated `n` times with one element changed.

#define N 4096

static short a[N], b[N];

static int dot(const short *x, const short *y, int len) {
  int s = 0;
  for (int i = 0; i < len; i++) s += x[i] * y[i];
  return s;
}

int run(int n) {
  unsigned r = 777;
  for (int i = 0; i < N; i++) {
    a[i] = (short)((r = r * 1103515245u + 12345u) >> 16);
    b[i] = (short)((r = r * 1103515245u + 12345u) >> 16);
  }
  int checksum = 0;
  for (int pass = 0; pass < n; pass++) {
    a[(pass * 7) & (N - 1)] += (short)pass;
    checksum = checksum * 31 + dot(a, b, N);
  }
  return checksum;
}
