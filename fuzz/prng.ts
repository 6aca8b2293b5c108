/**
 * A small seeded PRNG (SplitMix64 reduced to 32-bit outputs), so that `--seed S` reproduces the
 * same sequence of generated modules on every machine.
 */
export class Prng {
  #state: bigint;
  constructor(seed: number | bigint) {
    this.#state = BigInt.asUintN(64, BigInt(seed));
  }

  /** The next 32 random bits, as an unsigned integer. */
  next(): number {
    this.#state = BigInt.asUintN(64, this.#state + 0x9e3779b97f4a7c15n);
    let z = this.#state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    return Number(z & 0xffffffffn);
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const word = this.next();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }
}
