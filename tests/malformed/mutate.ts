/**
 * Deterministic corruption of module binaries for the malformed-input test. Blind edits (truncation, bit
 * flips, inserted or deleted bytes, huge LEB128 counts) mostly break the framing; edits inside one section
 * or function body that re-encode its size get past the framing to the validator and on to execution.
 */

/** mulberry32: a small seeded PRNG, so every run (and every failure report) is reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export interface Mutant {
  bytes: Uint8Array;
  /** What was done, enough to redo it by hand. */
  how: string;
}

/** The mutation kinds; `mutate` takes the kind index modulo their number. */
export const KINDS = [
  "truncate",
  "flip",
  "insert",
  "delete",
  "huge-leb",
  "section-edit",
  "body-edit",
  "body-flip",
];

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n = Math.floor(n / 128);
    out.push(n ? byte | 0x80 : byte);
  } while (n);
  return out;
}

/** A LEB128 field's start, byte length and value (reading stops at 5 bytes or the end). */
function readLeb(bytes: Uint8Array, at: number): { at: number; length: number; value: number } {
  let value = 0;
  let length = 0;
  while (at + length < bytes.length && length < 5) {
    const b = bytes[at + length];
    value += (b & 0x7f) * 2 ** (7 * length++);
    if (b < 0x80) break;
  }
  return { at, length, value };
}

interface Section {
  id: number;
  content: Uint8Array;
}

/** The sections after the 8-byte header, or null when the framing does not add up. */
function splitSections(bytes: Uint8Array): Section[] | null {
  const sections: Section[] = [];
  let pos = 8;
  while (pos < bytes.length) {
    const size = readLeb(bytes, pos + 1);
    const start = pos + 1 + size.length;
    if (start + size.value > bytes.length) return null;
    sections.push({ id: bytes[pos], content: bytes.subarray(start, start + size.value) });
    pos = start + size.value;
  }
  return sections;
}

function joinSections(header: Uint8Array, sections: Section[]): Uint8Array {
  return new Uint8Array([
    ...header.subarray(0, 8),
    ...sections.flatMap((s) => [s.id, ...leb(s.content.length), ...s.content]),
  ]);
}

/** Function bodies of a code section's content, or null when the framing does not add up. */
function splitBodies(content: Uint8Array): Uint8Array[] | null {
  const count = readLeb(content, 0);
  const bodies: Uint8Array[] = [];
  let pos = count.length;
  for (let i = 0; i < count.value; i++) {
    const size = readLeb(content, pos);
    const start = pos + size.length;
    if (size.length === 0 || start + size.value > content.length) return null;
    bodies.push(content.subarray(start, start + size.value));
    pos = start + size.value;
  }
  return pos === content.length ? bodies : null;
}

function joinBodies(bodies: Uint8Array[]): Uint8Array {
  return new Uint8Array([...leb(bodies.length), ...bodies.flatMap((b) => [...leb(b.length), ...b])]);
}

/**
 * Section sizes, the item count that starts most sections, and the size and local-group count of each
 * function body: the fields whose huge values test an engine's allocation and bounds checks.
 */
function lebFields(bytes: Uint8Array): { at: number; length: number }[] {
  const fields: { at: number; length: number }[] = [];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const size = readLeb(bytes, pos + 1);
    fields.push(size);
    const start = pos + 1 + size.length;
    const end = Math.min(start + size.value, bytes.length);
    if (id >= 1 && id <= 12 && id !== 8 && start < end) {
      const count = readLeb(bytes, start);
      fields.push(count);
      let body = start + count.length;
      for (let i = id === 10 ? count.value : 0; i > 0 && body < end; i--) {
        const bodySize = readLeb(bytes, body);
        fields.push(bodySize, readLeb(bytes, body + bodySize.length));
        body += bodySize.length + bodySize.value;
      }
    }
    pos = end;
  }
  return fields.filter((f) => f.length > 0 && f.at + f.length <= bytes.length);
}

const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000000, 0x0fffffff];

/** Replaces, inserts or deletes a few bytes at a random spot of `data` (never empty afterwards). */
function edit(data: Uint8Array, pick: (n: number) => number): { out: Uint8Array; how: string } {
  const at = pick(data.length + 1);
  const count = 1 + pick(3);
  const random = () => Array.from({ length: count }, () => pick(256));
  switch (pick(3)) {
    case 0: {
      const extra = random();
      return {
        out: new Uint8Array([...data.subarray(0, at), ...extra, ...data.subarray(at)]),
        how: `insert [${extra}]`,
      };
    }
    case 1:
      return {
        out: new Uint8Array([...data.subarray(0, at), ...data.subarray(at + count)]),
        how: `delete ${count}`,
      };
  }
  const values = random();
  const out = data.slice();
  values.forEach((v, i) => at + i < out.length && (out[at + i] = v));
  return { out, how: `overwrite [${values}]` };
}

/** One mutant of `original`, of the kind `KINDS[kind % KINDS.length]`. */
export function mutate(original: Uint8Array, kind: number, random: () => number): Mutant {
  const pick = (n: number) => Math.floor(random() * n);
  const bytes = original.slice();
  const name = KINDS[kind % KINDS.length];
  const sections = splitSections(original);
  const code = sections?.find((s) => s.id === 10);
  const bodies = code ? splitBodies(code.content) : null;
  if (name === "truncate") {
    const length = pick(bytes.length);
    return { bytes: bytes.subarray(0, length), how: `truncate to ${length}` };
  }
  if (name === "flip") {
    const spots: string[] = [];
    for (let i = 1 + pick(3); i > 0; i--) {
      const at = pick(bytes.length);
      const bit = pick(8);
      bytes[at] ^= 1 << bit;
      spots.push(`${at}.${bit}`);
    }
    return { bytes, how: `flip bits ${spots.join(" ")}` };
  }
  if (name === "insert" || name === "delete") {
    const at = pick(bytes.length);
    const count = 1 + pick(4);
    if (name === "delete") {
      return {
        bytes: new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + count)]),
        how: `delete ${count} at ${at}`,
      };
    }
    const extra = Array.from({ length: count }, () => pick(256));
    return {
      bytes: new Uint8Array([...bytes.subarray(0, at), ...extra, ...bytes.subarray(at)]),
      how: `insert [${extra}] at ${at}`,
    };
  }
  if (name === "huge-leb") {
    const fields = lebFields(bytes);
    if (fields.length === 0) return mutate(original, 0, random);
    const f = fields[pick(fields.length)];
    const value = HUGE[pick(HUGE.length)];
    const out = new Uint8Array([
      ...bytes.subarray(0, f.at),
      ...leb(value),
      ...bytes.subarray(f.at + f.length),
    ]);
    return { bytes: out, how: `LEB at ${f.at} (${f.length} bytes) := 0x${value.toString(16)}` };
  }
  if (name === "section-edit" && sections?.length) {
    const index = pick(sections.length);
    const { out, how } = edit(sections[index].content, pick);
    const changed = sections.map((s, i) => i === index ? { id: s.id, content: out } : s);
    return {
      bytes: joinSections(original, changed),
      how: `section #${index} (id ${sections[index].id}): ${how}`,
    };
  }
  if (bodies?.length && sections && code) {
    const index = pick(bodies.length);
    let body: Uint8Array;
    let how: string;
    if (name === "body-edit") ({ out: body, how } = edit(bodies[index], pick));
    else {
      body = bodies[index].slice();
      const at = pick(body.length);
      const bit = pick(8);
      body[at] ^= 1 << bit;
      how = `flip bit ${at}.${bit}`;
    }
    const content = joinBodies(bodies.map((b, i) => i === index ? body : b));
    const changed = sections.map((s) => s === code ? { id: 10, content } : s);
    return { bytes: joinSections(original, changed), how: `function body #${index}: ${how}` };
  }
  return mutate(original, 1, random); // no sections or no code: a blind flip instead
}
