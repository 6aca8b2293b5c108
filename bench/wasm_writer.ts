/**
 * A minimal WebAssembly binary writer: a growable byte buffer with the LEB128 and section
 * helpers that the large-module generator needs. Independent of the engine on purpose, so the
 * benchmark input does not depend on the code it measures.
 */

/** Growable byte buffer. */
export class ByteWriter {
  #bytes: Uint8Array<ArrayBuffer> = new Uint8Array(1024);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }

  byte(b: number): this {
    this.#reserve(1);
    this.#bytes[this.#length++] = b & 0xff;
    return this;
  }

  bytes(data: ArrayLike<number>): this {
    this.#reserve(data.length);
    this.#bytes.set(data, this.#length);
    this.#length += data.length;
    return this;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^32. */
  u32(value: number): this {
    let v = value >>> 0;
    do {
      const low = v & 0x7f;
      v >>>= 7;
      this.byte(v === 0 ? low : low | 0x80);
    } while (v !== 0);
    return this;
  }

  /** Signed LEB128 of a 32-bit integer. */
  s32(value: number): this {
    let v = value | 0;
    for (;;) {
      const low = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && (low & 0x40) === 0) || (v === -1 && (low & 0x40) !== 0);
      this.byte(done ? low : low | 0x80);
      if (done) return this;
    }
  }

  /** Signed LEB128 of a 64-bit integer. */
  s64(value: bigint): this {
    let v = BigInt.asIntN(64, value);
    for (;;) {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (low & 0x40) === 0) || (v === -1n && (low & 0x40) !== 0);
      this.byte(done ? low : low | 0x80);
      if (done) return this;
    }
  }

  f64(value: number): this {
    const scratch = new DataView(new ArrayBuffer(8));
    scratch.setFloat64(0, value, true);
    return this.bytes(new Uint8Array(scratch.buffer));
  }

  /** A name: length-prefixed UTF-8. */
  name(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    return this.u32(utf8.length).bytes(utf8);
  }

  /** Appends another writer's content prefixed by its length (for sections and bodies). */
  sized(inner: ByteWriter): this {
    return this.u32(inner.length).bytes(inner.view());
  }

  /** Empties the buffer, keeping its storage for reuse. */
  reset(): void {
    this.#length = 0;
  }

  /** The written bytes (a view, valid until the next write). */
  view(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(0, this.#length);
  }
}

/** Writes `value` (0 <= value < 2^31) as a fixed-width 5-byte signed LEB128 at `offset`. */
export function patchPaddedS32(bytes: Uint8Array, offset: number, value: number): void {
  for (let i = 0; i < 4; i++) bytes[offset + i] = ((value >>> (7 * i)) & 0x7f) | 0x80;
  bytes[offset + 4] = (value >>> 28) & 0x07;
}

/** Binary encodings used by the generator. */
export const Section = {
  Type: 1,
  Function: 3,
  Table: 4,
  Memory: 5,
  Global: 6,
  Export: 7,
  Element: 9,
  Code: 10,
} as const;

export const Val = { I32: 0x7f, I64: 0x7e, F32: 0x7d, F64: 0x7c, FuncRef: 0x70, Empty: 0x40 } as const;
