// f64 benchmark: dense matrix multiply C = A * B for n x n matrices (n <= MAX_N), i-k-j loop order.
// Returns a weighted sum of C so that every element contributes to the checksum.

#define MAX_N 400

static double A[MAX_N * MAX_N], B[MAX_N * MAX_N], C[MAX_N * MAX_N];

double run(int n) {
  if (n > MAX_N) n = MAX_N;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) {
      A[i * n + j] = (double)((i * 7 + j * 3) % 17) * 0.25 - 1.5;
      B[i * n + j] = (double)((i * 5 + j * 11) % 13) * 0.5 + 0.125;
      C[i * n + j] = 0.0;
    }
  }
  for (int i = 0; i < n; i++) {
    for (int k = 0; k < n; k++) {
      double a = A[i * n + k];
      for (int j = 0; j < n; j++) C[i * n + j] += a * B[k * n + j];
    }
  }
  double sum = 0.0;
  for (int i = 0; i < n * n; i++) sum += C[i] * (double)(i % 7 + 1);
  return sum;
}
