/**
 * The name section, from the identifiers of the text (as wasm-tools writes it, with the subsections
 * of the extended-name-section proposal): module, functions, locals, labels, types, tables, memories,
 * globals, elem and data segments, struct fields, tags.
 */

import type { ModuleContext } from "./context.ts";
import type { IndexSpace } from "./cursor.ts";
import { Writer } from "./encode.ts";

/** The names inside one function: its locals and labels, each by index. */
export interface FunctionNames {
  index: number;
  locals: [number, string][];
  labels: [number, string][];
}

const utf8 = new TextEncoder();

function nameMap(w: Writer, names: [number, string][]): void {
  w.u32(names.length);
  for (const [index, name] of names) {
    w.u32(index);
    w.name(utf8.encode(name));
  }
}

function indirectMap(w: Writer, entries: [number, [number, string][]][]): void {
  w.u32(entries.length);
  for (const [index, names] of entries) {
    w.u32(index);
    nameMap(w, names);
  }
}

/** The name section's body (after its id and size), or null when nothing is named. */
export function nameSection(
  moduleName: string | null,
  m: ModuleContext,
  functions: FunctionNames[],
): Writer | null {
  const body = new Writer();
  let any = false;
  const sub = (id: number, fill: (w: Writer) => void) => {
    const w = new Writer();
    fill(w);
    body.byte(id);
    body.sized(w);
    any = true;
  };
  const spaceNames = (id: number, space: IndexSpace) => {
    if (space.named.length > 0) sub(id, (w) => nameMap(w, space.named));
  };
  body.name(utf8.encode("name"));
  if (moduleName !== null) sub(0, (w) => w.name(utf8.encode(moduleName)));
  spaceNames(1, m.funcs);
  const sorted = [...functions].sort((a, b) => a.index - b.index);
  const locals = sorted.filter((f) => f.locals.length > 0);
  if (locals.length > 0) sub(2, (w) => indirectMap(w, locals.map((f) => [f.index, f.locals])));
  const labels = sorted.filter((f) => f.labels.length > 0);
  if (labels.length > 0) sub(3, (w) => indirectMap(w, labels.map((f) => [f.index, f.labels])));
  spaceNames(4, m.types);
  spaceNames(5, m.tables);
  spaceNames(6, m.memories);
  spaceNames(7, m.globals);
  spaceNames(8, m.elems);
  spaceNames(9, m.datas);
  const fields: [number, [number, string][]][] = [];
  m.typeDefs.forEach((def, i) => {
    if (def.fieldNames.length > 0) fields.push([i, def.fieldNames]);
  });
  if (fields.length > 0) sub(10, (w) => indirectMap(w, fields));
  spaceNames(11, m.tags);
  return any ? body : null;
}
