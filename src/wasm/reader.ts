/**
 * A cursor over module bytes with the binary format's primitive encodings: LEB128 integers with the
 * spec's exact length and range rules, IEEE floats as raw bits, and UTF-8 names.
 * Every failure is a `CompileError` that carries the byte offset.
 */
import { CompileError } from "./errors.ts";

// ignoreBOM keeps a leading U+FEFF in the name instead of silently dropping it.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class Reader {
  pos: number;
  /** Reads a section or a function body: running out is "unexpected end of section or function". */
  section = false;
  constructor(readonly bytes: Uint8Array, pos = 0, public end = bytes.length) {
    this.pos = pos;
  }

  fail(message: string, at = this.pos): never {
    throw new CompileError(message, at);
  }

  /** Fails because the bytes ran out: of the section or function being read, or of the module. */
  unexpectedEnd(at = this.pos): never {
    const bounded = this.section || this.end < this.bytes.length;
    this.fail(bounded ? "unexpected end of section or function" : "unexpected end", at);
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) this.unexpectedEnd();
    return this.bytes[this.pos++];
  }

  /** Unsigned 32-bit LEB128: at most 5 bytes, unused bits of the last byte must be zero. */
  u32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos < this.end) {
      const b = bytes[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) this.unexpectedEnd(pos);
      const b = bytes[pos++];
      if (shift === 28) {
        if (b & 0x80) this.fail("integer representation too long", pos - 1);
        if (b & 0x70) this.fail("integer too large", pos - 1);
        this.pos = pos;
        return (result | (b << 28)) >>> 0;
      }
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    return this.fail("integer representation too long");
  }

  /**
   * Unsigned 64-bit LEB128 as a JS number: exact up to 2^53, rounded beyond (sizes and offsets that
   * large exceed any memory or table we can have, and compare so whatever the rounding).
   */
  u64(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    let result = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) this.unexpectedEnd(pos);
      const b = bytes[pos++];
      if (i === 9) {
        if (b & 0x80) this.fail("integer representation too long", pos - 1);
        if (b & 0x7e) this.fail("integer too large", pos - 1); // only bit 63 is left
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) {
        this.pos = pos;
        return result;
      }
    }
    return this.fail("integer representation too long");
  }

  /** Signed 32-bit LEB128: the unused bits of a 5th byte must be the sign extension of bit 31. */
  s32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) this.unexpectedEnd(pos);
      const b = bytes[pos++];
      if (shift === 28) {
        if (b & 0x80) this.fail("integer representation too long", pos - 1);
        const high = b & 0x78; // bit 3 is bit 31 of the value; bits 4..6 must copy it
        if (high !== 0 && high !== 0x78) this.fail("integer too large", pos - 1);
        this.pos = pos;
        return result | (b << 28);
      }
      result |= (b & 0x7f) << shift;
      if (!(b & 0x80)) {
        this.pos = pos;
        const fill = 32 - (shift + 7);
        return fill > 0 ? (result << fill) >> fill : result;
      }
    }
    return this.fail("integer representation too long");
  }

  /** Signed 33-bit LEB128, as used by block types: returns a JS number. */
  s33(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (pos >= this.end) this.unexpectedEnd(pos);
      const b = bytes[pos++];
      if (i === 4) {
        if (b & 0x80) this.fail("integer representation too long", pos - 1);
        const high = b & 0x70; // bit 4 is bit 32 (sign); bits 5,6 must copy it
        if (high !== 0 && high !== 0x70) this.fail("integer too large", pos - 1);
        result += (b & 0x1f) * mul;
        this.pos = pos;
        return b & 0x10 ? result - 2 ** 33 : result;
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (!(b & 0x80)) {
        this.pos = pos;
        return b & 0x40 ? result - mul : result;
      }
    }
    return this.fail("integer representation too long");
  }

  /** Signed 64-bit LEB128 as a BigInt (only decode time uses it: `i64.const`, constant expressions). */
  s64(): bigint {
    const bytes = this.bytes;
    let pos = this.pos;
    let lo = 0; // first 28 bits
    let hi = 0n;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) this.unexpectedEnd(pos);
      const b = bytes[pos++];
      if (i === 9) {
        if (b & 0x80) this.fail("integer representation too long", pos - 1);
        // Only bit 0 is part of the value (bit 63); the rest must be its sign extension.
        if (b !== 0 && b !== 0x7f) this.fail("integer too large", pos - 1);
        hi |= BigInt(b & 1) << 63n;
        this.pos = pos;
        return BigInt.asIntN(64, hi | BigInt(lo));
      }
      if (i < 4) lo |= (b & 0x7f) << shift;
      else hi |= BigInt(b & 0x7f) << BigInt(shift);
      shift += 7;
      if (!(b & 0x80)) {
        this.pos = pos;
        let v = hi | BigInt(lo >>> 0);
        if (b & 0x40) v -= 1n << BigInt(shift);
        return BigInt.asIntN(64, v);
      }
    }
    return this.fail("integer representation too long");
  }

  /** Raw little-endian 32-bit pattern (for f32 immediates). */
  bits32(): number {
    if (this.pos + 4 > this.end) this.unexpectedEnd();
    const b = this.bytes, p = this.pos;
    this.pos = p + 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  /** Raw little-endian 64-bit pattern as [lo, hi] 32-bit halves (for f64 immediates). */
  bits64(): [number, number] {
    const lo = this.bits32();
    const hi = this.bits32();
    return [lo, hi];
  }

  /** `n` raw bytes as a subarray (no copy). */
  take(n: number): Uint8Array {
    if (n > this.end - this.pos) this.unexpectedEnd();
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A length-prefixed UTF-8 name. */
  name(): string {
    const len = this.u32();
    const at = this.pos;
    const raw = this.take(len);
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail("malformed UTF-8 encoding", at);
    }
  }
}
