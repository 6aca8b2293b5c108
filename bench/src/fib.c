// Call-heavy benchmark: naive recursive Fibonacci, two real calls per level.
// disable_tail_calls stops clang's tail-recursion pass from turning one of the two calls into a
// loop with an accumulator; noinline stops it from unrolling levels into each other.

__attribute__((noinline, disable_tail_calls)) static int fib(int n) {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

int run(int n) { return fib(n); }
