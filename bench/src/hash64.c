// 64-bit integer benchmark: splitmix64 feeding xorshift64*, mixed into an FNV-style accumulator.
// Exercises i64 mul, shifts, rotates, xor and unsigned division; returns an i64 (a BigInt in JS).

typedef unsigned long long u64;

static u64 splitmix64(u64 *state) {
  u64 z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static u64 xorshift64star(u64 *state) {
  u64 x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545f4914f6cdd1dull;
}

// The `& 63` keeps k == 0 defined (a shift by 64 is undefined in C); clang still emits i64.rotl.
static u64 rotl(u64 x, int k) { return (x << k) | (x >> ((64 - k) & 63)); }

long long run(int n) {
  u64 sm = 42, xs = 0x853c49e6748fea9bull, acc = 0xcbf29ce484222325ull;
  for (int i = 0; i < n; i++) {
    u64 a = splitmix64(&sm);
    u64 b = xorshift64star(&xs);
    acc = (acc ^ a) * 0x100000001b3ull;
    acc = rotl(acc, (int)(b & 63)) + (b >> 7);
    // An occasional division keeps i64.div_u/rem_u in the mix without dominating the loop.
    if ((i & 15) == 0) acc ^= (a / ((b | 1) >> 40 | 1)) + (a % 1000003);
  }
  return (long long)acc;
}
