/**
 * Just enough of a module's binary to drive it from the malformed-input test: function types, imports,
 * exports, the start function and where the code is. Independent of the engine's decoder on purpose;
 * throws on anything it cannot read, so a module the engine accepted but this cannot read is simply not run.
 */

export interface Signature {
  params: string[];
  results: string[];
}

export interface Limits {
  flags: number;
  min: number;
  max?: number;
}

export type ImportDesc =
  | { kind: "func"; type: Signature }
  | { kind: "table"; element: string; limits: Limits }
  | { kind: "memory"; limits: Limits }
  | { kind: "global"; type: string; mutable: boolean };

export interface ModuleShape {
  imports: ({ module: string; name: string } & ImportDesc)[];
  /** Exported functions with their signatures. */
  funcExports: { name: string; type: Signature }[];
  hasStart: boolean;
  /** The code section's bytes (empty when absent). */
  code: Uint8Array;
}

const VALTYPES: Record<number, string> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

class Cursor {
  constructor(readonly bytes: Uint8Array, public pos: number, readonly end: number) {}
  byte(): number {
    if (this.pos >= this.end) throw new Error("unexpected end");
    return this.bytes[this.pos++];
  }
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (result > 0xffffffff) throw new Error("u32 too large");
        return result;
      }
    }
    throw new Error("LEB128 too long");
  }
  skip(n: number): void {
    if (this.pos + n > this.end) throw new Error("unexpected end");
    this.pos += n;
  }
  name(): string {
    const length = this.u32();
    const start = this.pos;
    this.skip(length);
    return new TextDecoder().decode(this.bytes.subarray(start, start + length));
  }
  valtype(): string {
    const t = VALTYPES[this.byte()];
    if (!t) throw new Error("bad value type");
    return t;
  }
  limits(): Limits {
    const flags = this.byte();
    const min = this.u32();
    return flags & 1 ? { flags, min, max: this.u32() } : { flags, min };
  }
  vec<T>(item: () => T): T[] {
    const count = this.u32();
    if (count > this.end - this.pos) throw new Error("vector longer than its section");
    return Array.from({ length: count }, item);
  }
}

export function moduleShape(bytes: Uint8Array): ModuleShape {
  const shape: ModuleShape = { imports: [], funcExports: [], hasStart: false, code: new Uint8Array() };
  const types: Signature[] = [];
  const funcTypes: Signature[] = [];
  const exports: { name: string; kind: number; index: number }[] = [];
  const signature = (c: Cursor) => {
    const t = types[c.u32()];
    if (!t) throw new Error("unknown type");
    return t;
  };
  const top = new Cursor(bytes, 8, bytes.length);
  while (top.pos < top.end) {
    const id = top.byte();
    const size = top.u32();
    const c = new Cursor(bytes, top.pos, top.pos + size);
    top.skip(size);
    if (id === 1) {
      types.push(...c.vec(() => {
        if (c.byte() !== 0x60) throw new Error("bad function type");
        return { params: c.vec(() => c.valtype()), results: c.vec(() => c.valtype()) };
      }));
    } else if (id === 2) {
      shape.imports = c.vec(() => {
        const module = c.name();
        const name = c.name();
        const kind = c.byte();
        let desc: ImportDesc;
        if (kind === 0) funcTypes.push((desc = { kind: "func", type: signature(c) }).type);
        else if (kind === 1) desc = { kind: "table", element: c.valtype(), limits: c.limits() };
        else if (kind === 2) desc = { kind: "memory", limits: c.limits() };
        else if (kind === 3) desc = { kind: "global", type: c.valtype(), mutable: c.byte() === 1 };
        else throw new Error("bad import kind");
        return { module, name, ...desc };
      });
    } else if (id === 3) {
      funcTypes.push(...c.vec(() => signature(c)));
    } else if (id === 7) {
      exports.push(...c.vec(() => ({ name: c.name(), kind: c.byte(), index: c.u32() })));
    } else if (id === 8) {
      shape.hasStart = true;
    } else if (id === 10) {
      shape.code = bytes.subarray(c.pos, c.end);
    }
  }
  for (const e of exports) {
    if (e.kind !== 0) continue;
    const type = funcTypes[e.index];
    if (!type) throw new Error("unknown exported function");
    shape.funcExports.push({ name: e.name, type });
  }
  return shape;
}
