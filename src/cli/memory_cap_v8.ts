/**
 * --max-memory on an engine without a memory cap (V8): the module's own memory section is rewritten
 * so that every memory's maximum is at most the cap. memory.grow past it then returns -1, as the
 * guest expects from any maximum, and a memory whose minimum is already above the cap is refused
 * before anything runs, with the message wasmrun's engine gives. Only the memory section changes;
 * no other section refers to byte offsets of the module, so the rest is copied as it is.
 */
import { CliFailure } from "./failure.ts";

const MEMORY_SECTION = 5;
// Limits flags; a memory64 memory (0x04) has LEB128 limits too, only wider, so the same rewrite serves it.
const HAS_MAX = 0x01, CUSTOM_PAGE_SIZE = 0x08;

class Reader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.at >= this.bytes.length) throw new RangeError("truncated");
    return this.bytes[this.at++];
  }
  /** An unsigned LEB128 number (u32 or u64), as a bigint so that both fit. */
  leb(): bigint {
    let value = 0n, shift = 0n;
    for (;;) {
      const b = this.byte();
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
      shift += 7n;
      if (shift > 63n) throw new RangeError("LEB128 too long");
    }
  }
}

function leb(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v === 0n ? b : b | 0x80);
  } while (v !== 0n);
  return out;
}

/** The memory section's contents with every maximum capped at `cap` pages. */
function cappedMemories(content: Uint8Array, cap: bigint, label: string): number[] {
  const r = new Reader(content);
  const count = r.leb();
  const out = leb(count);
  for (let i = 0n; i < count; i++) {
    const flags = r.byte();
    const min = r.leb();
    const max = flags & HAS_MAX ? r.leb() : undefined;
    const pageSizeLog2 = flags & CUSTOM_PAGE_SIZE ? r.leb() : undefined;
    if (pageSizeLog2 !== undefined) {
      // Pages of another size: the cap, counted in 64 KiB pages, cannot be written as this memory's maximum.
      throw new CliFailure(
        `${label}: --max-memory cannot cap a memory with custom page sizes on --engine v8`,
      );
    }
    if (min > cap) {
      throw new CliFailure(
        `${label}: cannot instantiate: memory limit: the module needs ${min} pages of 64 KiB, the limit is ${cap}`,
      );
    }
    const newMax = max === undefined || max > cap ? cap : max;
    out.push(flags | HAS_MAX, ...leb(min), ...leb(newMax));
  }
  if (r.at !== content.length) throw new RangeError("trailing bytes in the memory section");
  return out;
}

/**
 * `bytes` with every defined memory's maximum at most `capPages` (64 KiB pages). A module whose
 * sections cannot be walked is returned as it is: compiling it reports what is wrong with it.
 */
export function capMemoryMaximum(bytes: Uint8Array, capPages: number, label: string): Uint8Array {
  const r = new Reader(bytes);
  r.at = 8;
  try {
    while (r.at < bytes.length) {
      const start = r.at;
      const id = r.byte();
      const size = Number(r.leb());
      const contentStart = r.at;
      const end = contentStart + size;
      if (end > bytes.length) return bytes;
      if (id === MEMORY_SECTION) {
        const content = cappedMemories(bytes.subarray(contentStart, end), BigInt(capPages), label);
        const section = [id, ...leb(BigInt(content.length)), ...content];
        const patched = new Uint8Array(start + section.length + (bytes.length - end));
        patched.set(bytes.subarray(0, start));
        patched.set(section, start);
        patched.set(bytes.subarray(end), start + section.length);
        return patched;
      }
      r.at = end;
    }
  } catch (err) {
    if (err instanceof CliFailure) throw err;
    return bytes;
  }
  return bytes;
}
