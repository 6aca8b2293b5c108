// SIMD kernel: sum of an i32 array (clang vectorizes the loop with -msimd128), repeated `n` times.
// One element changes between passes so no pass can be skipped or merged.

#define N 4096

static int data[N];

static int sum(const int *a, int len) {
  int s = 0;
  for (int i = 0; i < len; i++) s += a[i];
  return s;
}

int run(int n) {
  unsigned x = 12345;
  for (int i = 0; i < N; i++) data[i] = (int)(x = x * 1103515245u + 12345u) >> 8;
  int checksum = 0;
  for (int pass = 0; pass < n; pass++) {
    data[(pass * 13) & (N - 1)] ^= pass;
    checksum = checksum * 31 + sum(data, N);
  }
  return checksum;
}
