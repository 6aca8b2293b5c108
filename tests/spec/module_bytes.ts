/** Small pieces of the binary format, for the bridge modules the spec runner builds (simd_bridge.ts, exn_bridge.ts). */

/** Unsigned LEB128. */
export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n ? byte | 0x80 : byte);
  } while (n);
  return out;
}

const utf8 = new TextEncoder();

/** A name: its UTF-8 length, then the bytes. */
export function name(s: string): number[] {
  const bytes = [...utf8.encode(s)];
  return [...leb(bytes.length), ...bytes];
}

/** A vector: its length, then the items. */
export function vec(items: number[][]): number[] {
  return [...leb(items.length), ...items.flat()];
}

/** A section: its id, its size, then the content. */
export function section(id: number, content: number[]): number[] {
  return [id, ...leb(content.length), ...content];
}
