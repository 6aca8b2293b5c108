/** What the text parser's tests share: reading sections of a binary, its name section, the spec suites. */

/** One section of a binary module. */
export interface Section {
  id: number;
  body: Uint8Array;
}

function leb(bytes: Uint8Array, at: number): [number, number] {
  let v = 0, shift = 0;
  for (;;) {
    const b = bytes[at++];
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [v, at];
  }
}

/** The sections of a binary module, in order. */
export function sections(bytes: Uint8Array): Section[] {
  const out: Section[] = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, body] = leb(bytes, at + 1);
    out.push({ id, body: bytes.subarray(body, body + size) });
    at = body + size;
  }
  return out;
}

/** The module without its custom sections (names differ legitimately between encoders). */
export function stripCustom(bytes: Uint8Array): Uint8Array {
  const out: number[] = [...bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const [size, body] = leb(bytes, at + 1);
    if (bytes[at] !== 0) { for (let k = at; k < body + size; k++) out.push(bytes[k]); }
    at = body + size;
  }
  return new Uint8Array(out);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The name section decoded: subsection id → entries (`index: name`, or `outer.inner: name`). */
export function readNames(bytes: Uint8Array): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const names = sections(bytes).filter((s) => s.id === 0).map((s) => s.body);
  const dec = new TextDecoder();
  for (const body of names) {
    let [len, at] = leb(body, 0);
    if (dec.decode(body.subarray(at, at + len)) !== "name") continue;
    at += len;
    while (at < body.length) {
      const id = body[at];
      const [size, start] = leb(body, at + 1);
      const sub = body.subarray(start, start + size);
      at = start + size;
      const entries: string[] = [];
      let p = 0;
      const name = (): string => {
        const [n, q] = leb(sub, p);
        p = q + n;
        return dec.decode(sub.subarray(q, q + n));
      };
      if (id === 0) entries.push(name());
      else {
        let count;
        [count, p] = leb(sub, p);
        for (let i = 0; i < count; i++) {
          let index;
          [index, p] = leb(sub, p);
          if (id === 2 || id === 3 || id === 10) {
            let inner;
            [inner, p] = leb(sub, p);
            for (let j = 0; j < inner; j++) {
              let k;
              [k, p] = leb(sub, p);
              entries.push(`${index}.${k}: ${name()}`);
            }
          } else entries.push(`${index}: ${name()}`);
        }
      }
      out.set(id, entries);
    }
  }
  return out;
}

/** The spec folders beside the repository. */
export const SPEC_ROOT = new URL("../../shared/spec/", import.meta.url);

/** Every `.wast` file under `dir` (a folder of SPEC_ROOT), sorted; null when the folder is absent. */
export function wastFiles(dir: string): string[] | null {
  const root = new URL(dir + "/", SPEC_ROOT);
  const out: string[] = [];
  const walk = (url: URL) => {
    for (const e of Deno.readDirSync(url)) {
      if (e.isDirectory) walk(new URL(e.name + "/", url));
      else if (e.name.endsWith(".wast")) out.push(new URL(e.name, url).pathname);
    }
  };
  try {
    walk(root);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  return out.sort();
}

/** `fn` must throw an instance of `type` (whose message includes `includes`, if given); returns it. */
export function throwsA<T extends Error>(
  fn: () => unknown,
  type: abstract new (...args: never[]) => T,
  includes?: string,
): T {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof type)) throw new Error(`expected ${type.name}, got ${e}`);
    if (includes !== undefined && !e.message.includes(includes)) {
      throw new Error(`message ${JSON.stringify(e.message)} lacks ${JSON.stringify(includes)}`);
    }
    return e;
  }
  throw new Error(`expected ${type.name}, nothing was thrown`);
}

/** The end of a constant expression of Wasm 2.0 starting at `at` (after its `end`). */
function constExprEnd(b: Uint8Array, at: number): number {
  for (;;) {
    const op = b[at++];
    if (op === 0x0b) return at;
    if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2 || op === 0xd0) at = leb(b, at)[1];
    else if (op === 0x44) at += 8;
    else if (op === 0x43) at += 4;
    else if (op === 0xfd) at = leb(b, at)[1] + 16; // v128.const
    else if (op === 0xfb) at = leb(b, at)[1]; // ref.i31 and the like
    // anything else (arithmetic) has no immediate
  }
}

/**
 * The element section in a canonical form: every segment as mode, table, offset, type and item
 * expressions, so that wabt's function-index segments (type funcref in Wasm 2.0) compare equal to the
 * same segments written as `funcref (ref.func …)` expressions, and an active segment of table 0
 * whether or not its encoding names the table.
 */
function canonicalElems(body: Uint8Array): string {
  const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  let [count, at] = leb(body, 0);
  const out: string[] = [];
  for (; count > 0; count--) {
    const flags = body[at++];
    let table = 0, offset = "", type = "70";
    if ((flags & 1) === 0) {
      if (flags & 2) [table, at] = leb(body, at);
      const end = constExprEnd(body, at);
      offset = hex(body.subarray(at, end));
      at = end;
    }
    if (flags & 3) {
      if (flags & 4) {
        const start = at;
        at = body[at] === 0x63 || body[at] === 0x64 ? leb(body, at + 1)[1] : at + 1;
        type = hex(body.subarray(start, at));
      } else at++; // elemkind 0: funcref
    }
    let n;
    [n, at] = leb(body, at);
    const items: string[] = [];
    for (let i = 0; i < n; i++) {
      if (flags & 4) {
        const end = constExprEnd(body, at);
        items.push(hex(body.subarray(at, end)));
        at = end;
      } else {
        const start = at;
        at = leb(body, at)[1];
        items.push("d2" + hex(body.subarray(start, at)) + "0b");
      }
    }
    const mode = (flags & 1) === 0 ? "active" : flags & 2 ? "declarative" : "passive";
    out.push(`${mode}/${table}/${offset}/${type}/${items.join(",")}`);
  }
  return out.join(";");
}

/** A module's non-custom sections, the element section in canonical form (see canonicalElems). */
export function canonicalSections(bytes: Uint8Array): string[] {
  return sections(bytes).filter((s) => s.id !== 0).map((s) =>
    s.id === 9 ? "9:" + canonicalElems(s.body) : `${s.id}:${[...s.body].join(",")}`
  );
}
