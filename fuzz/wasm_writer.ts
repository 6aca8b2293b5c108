/** Just enough of the binary format to write the expression fuzzer's modules: LEB128, floats, sections. */

export class ByteWriter {
  bytes: number[] = [];

  byte(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }

  u32(n: number): this {
    let v = n >>> 0;
    do {
      const b = v & 0x7f;
      v >>>= 7;
      this.bytes.push(v ? b | 0x80 : b);
    } while (v);
    return this;
  }

  /** Unsigned LEB128 of any integer below 2^64 (a memory64 offset). */
  u64(n: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(n));
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      this.bytes.push(v ? b | 0x80 : b);
    } while (v);
    return this;
  }

  /** Signed LEB128 of any integer that fits in 64 bits. */
  sleb(n: number | bigint): this {
    let v = BigInt.asIntN(64, BigInt(n));
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
      this.bytes.push(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  f32(x: number): this {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, x, true);
    return this.byte(...new Uint8Array(view.buffer));
  }

  f64(x: number): this {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x, true);
    return this.byte(...new Uint8Array(view.buffer));
  }

  name(text: string): this {
    const b = new TextEncoder().encode(text);
    return this.u32(b.length).byte(...b);
  }

  /** Appends another writer's bytes prefixed by their length (a section or function body). */
  sized(inner: ByteWriter): this {
    return this.u32(inner.bytes.length).byte(...inner.bytes);
  }
}

/** Assembles a module from section payloads, in id order. */
export function moduleBytes(sections: [id: number, payload: ByteWriter][]): Uint8Array {
  const w = new ByteWriter().byte(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  for (const [id, payload] of sections) w.byte(id).sized(payload);
  return new Uint8Array(w.bytes);
}
