// SIMD kernel: y = a*x + y over f32 arrays (clang vectorizes it with -msimd128: f32x4 mul/add,
// v128 loads and stores), repeated `n` times; the checksum mixes y's bits.

#define N 4096

static float x[N], y[N];

static void saxpy(float k, const float *src, float *dst, int len) {
  for (int i = 0; i < len; i++) dst[i] = k * src[i] + dst[i];
}

int run(int n) {
  for (int i = 0; i < N; i++) x[i] = (float)(i % 97) * 0.25f - 6.0f, y[i] = (float)(i % 13);
  for (int pass = 0; pass < n; pass++) saxpy(0.25f + (float)(pass & 3) * 0.125f, x, y, N);
  unsigned checksum = 0;
  for (int i = 0; i < N; i++) {
    union { float f; unsigned u; } v = { y[i] };
    checksum = checksum * 31 + v.u;
  }
  return (int)checksum;
}
