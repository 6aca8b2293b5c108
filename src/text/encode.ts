/** Writing the binary format: bytes, LEB128, IEEE bits, names. */

const EMPTY = new Uint8Array(0);

/** A growable byte buffer with the binary format's encodings (LEB128, IEEE bits, names, vectors). */
export class Writer {
  bytes: Uint8Array<ArrayBuffer>;
  length = 0;

  /** Nothing is allocated before the first write: many writers of a module stay empty. */
  constructor(capacity = 0) {
    this.bytes = capacity > 0 ? new Uint8Array(capacity) : EMPTY;
  }

  #room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = Math.max(16, this.bytes.length * 2);
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  byte(b: number): void {
    if (this.length === this.bytes.length) this.#room(1);
    this.bytes[this.length++] = b;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  u32(v: number): void {
    this.#room(8);
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }

  /** Signed LEB128 of a 32-bit (or any safe) integer. */
  s32(v: number): void {
    this.#room(10);
    if (v === (v | 0)) {
      for (;;) {
        const b = v & 0x7f;
        v >>= 7;
        if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
          this.bytes[this.length++] = b;
          return;
        }
        this.bytes[this.length++] = b | 0x80;
      }
    }
    this.s64(BigInt(v));
  }

  /** Signed LEB128 of a safe integer (|v| < 2^53), without BigInt. */
  s53(v: number): void {
    if (v === (v | 0)) return this.s32(v);
    this.#room(10);
    for (;;) {
      const b = ((v % 128) + 128) % 128;
      v = (v - b) / 128;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.bytes[this.length++] = b;
        return;
      }
      this.bytes[this.length++] = b | 0x80;
    }
  }

  /** Signed LEB128 of a 64-bit integer. */
  s64(v: bigint): void {
    if (v >= -0x80000000n && v < 0x80000000n) return this.s32(Number(v));
    this.#room(10);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.bytes[this.length++] = b;
        return;
      }
      this.bytes[this.length++] = b | 0x80;
    }
  }

  /** Unsigned LEB128 of a 64-bit integer. */
  u64(v: bigint): void {
    if (v < 0x20000000000000n) return this.u32(Number(v));
    this.#room(10);
    while (v >= 0x80n) {
      this.bytes[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.bytes[this.length++] = Number(v);
  }

  /** Little-endian 32 bits. */
  u32le(v: number): void {
    this.#room(4);
    const b = this.bytes;
    b[this.length++] = v & 0xff;
    b[this.length++] = (v >>> 8) & 0xff;
    b[this.length++] = (v >>> 16) & 0xff;
    b[this.length++] = (v >>> 24) & 0xff;
  }

  /** Little-endian 64 bits. */
  u64le(v: bigint): void {
    this.u32le(Number(v & 0xffffffffn));
    this.u32le(Number((v >> 32n) & 0xffffffffn));
  }

  raw(data: Uint8Array): void {
    this.#room(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  /** Another writer's contents. */
  append(w: Writer): void {
    this.raw(w.bytes.subarray(0, w.length));
  }

  /** A length-prefixed byte string (a name). */
  name(data: Uint8Array): void {
    this.u32(data.length);
    this.raw(data);
  }

  /** A length-prefixed copy of another writer (a section body, a function body). */
  sized(w: Writer): void {
    this.u32(w.length);
    this.append(w);
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.bytes.slice(0, this.length);
  }
}
