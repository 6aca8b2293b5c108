// Memory-loop benchmark: sieve of Eratosthenes over a byte array, repeated `n` times.
// Each pass uses a slightly different limit so the passes cannot be merged by the optimizer.

#define SIZE (1 << 20)

static unsigned char composite[SIZE];

static int sieve(int limit) {
  for (int i = 0; i < limit; i++) composite[i] = 0;
  int count = 0;
  for (int i = 2; i < limit; i++) {
    if (composite[i]) continue;
    count++;
    for (int j = i + i; j < limit; j += i) composite[j] = 1;
  }
  return count;
}

int run(int n) {
  int checksum = 0;
  for (int pass = 0; pass < n; pass++) checksum = checksum * 31 + sieve(SIZE - pass * 7);
  return checksum;
}
