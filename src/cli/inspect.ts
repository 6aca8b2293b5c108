/**
 * `wasmrun inspect`: what a module imports and exports (with types), its memories, tables,
 * globals, sections and custom sections with sizes, and the post-MVP features it uses; as text,
 * or as JSON with `--json`. Uses wasmrun's decoder only (no validation, nothing is run). For a
 * text file, sizes and offsets are those of the binary it encodes.
 */
import { decodeModule } from "../wasm/decoder.ts";
import {
  ExternKind,
  type FuncType,
  type GlobalType,
  type Limits,
  type ModuleInfo,
  type TableType,
  valTypeName,
} from "../wasm/types.ts";
import { detectFeatures } from "./features.ts";
import { CliFailure } from "./failure.ts";
import { type CliIo, out } from "./io.ts";
import { loadModule, moduleLabel, oneLine } from "./load.ts";

const SECTION_NAMES = [
  "custom",
  "type",
  "import",
  "function",
  "table",
  "memory",
  "global",
  "export",
  "start",
  "element",
  "code",
  "data",
  "datacount",
];

type EntityType =
  | { params: string[]; results: string[] }
  | { element: string; min: number; max?: number }
  | { min: number; max?: number }
  | { type: string; mutable: boolean };

interface Entity {
  kind: "func" | "table" | "memory" | "global" | "tag";
  type: EntityType | null;
}

const names = (v: number[]) => v.map(valTypeName);

/** The kind and type of entity `index` of `kind` in the module's index spaces. */
function describe(m: ModuleInfo, kind: ExternKind, index: number): Entity {
  switch (kind) {
    case ExternKind.Func: {
      const t: FuncType | undefined = m.types[m.funcTypeIndices[index]];
      return { kind: "func", type: t ? { params: names(t.params), results: names(t.results) } : null };
    }
    case ExternKind.Table: {
      const t: TableType | undefined = m.tables[index];
      return { kind: "table", type: t ? { element: valTypeName(t.elem), ...t.limits } : null };
    }
    case ExternKind.Memory: {
      const mem = m.memories[index];
      return { kind: "memory", type: mem ? { ...mem.limits } : null };
    }
    case ExternKind.Global: {
      const g: GlobalType | undefined = m.globalTypes[index];
      return { kind: "global", type: g ? { type: valTypeName(g.type), mutable: g.mutable } : null };
    }
    case ExternKind.Tag: {
      const t: FuncType | undefined = m.types[m.tags[index]];
      return { kind: "tag", type: t ? { params: names(t.params), results: [] } : null };
    }
  }
}

function limits(l: Limits, unit: string): string {
  return l.max === undefined ? `${l.min} ${unit} min, no max` : `${l.min}..${l.max} ${unit}`;
}

/** One entity's type as text: "(i32, i32) -> (i32)", "funcref, 1..2 elements", "mut i32". */
function typeText(e: Entity): string {
  const t = e.type;
  if (!t) return "?";
  if ("params" in t) return `(${t.params.join(", ")}) -> (${t.results.join(", ")})`;
  if ("element" in t) return `${t.element}, ${limits(t, "elements")}`;
  if ("mutable" in t) return `${t.mutable ? "mut " : ""}${t.type}`;
  return limits(t, "pages");
}

function funcName(m: ModuleInfo, index: number): string {
  const name = m.names.functions.get(index);
  return name === undefined ? `$${index}` : name;
}

export function inspectModule(m: ModuleInfo) {
  // Index of each import within its kind's index space.
  const counters = [0, 0, 0, 0, 0];
  const imports = m.imports.map((imp) => {
    const index = counters[imp.desc.kind]++;
    return { module: imp.module, name: imp.name, index, ...describe(m, imp.desc.kind, index) };
  });
  const exports = m.exports.map((e) => ({ name: e.name, index: e.index, ...describe(m, e.kind, e.index) }));
  const { features, unscanned } = detectFeatures(m);
  const codeSection = m.sections.find((s) => s.id === 10);
  return {
    size: m.bytes.length,
    imports,
    exports,
    functions: { imported: m.importedFuncCount, defined: m.funcs.length, codeBytes: codeSection?.size ?? 0 },
    memories: m.memories.map((mem, i) => ({ index: i, imported: i < m.importedMemoryCount, ...mem.limits })),
    tables: m.tables.map((t, i) => ({
      index: i,
      imported: i < m.importedTableCount,
      element: valTypeName(t.elem),
      ...t.limits,
    })),
    globals: m.globalTypes.map((g, i) => ({
      index: i,
      imported: i < m.importedGlobalCount,
      type: valTypeName(g.type),
      mutable: g.mutable,
    })),
    start: m.start === undefined ? null : { index: m.start, name: funcName(m, m.start) },
    sections: m.sections.map((s) => ({
      id: s.id,
      name: s.id === 0
        ? m.customs.find((c) => c.start >= s.start && c.end === s.start + s.size)?.name ?? ""
        : SECTION_NAMES[s.id],
      custom: s.id === 0,
      offset: s.start,
      size: s.size,
    })),
    features,
    unscannedFunctions: unscanned,
  };
}

type Report = ReturnType<typeof inspectModule>;

function text(path: string, r: Report, fromText: boolean): string {
  const lines: string[] = [
    fromText ? `${path}: WebAssembly text, ${r.size} bytes as a binary` : `${path}: ${r.size} bytes`,
  ];
  const entities = (title: string, list: (Entity & { label: string })[]) => {
    lines.push(`${title} (${list.length}):`);
    for (const e of list) lines.push(`  ${e.kind.padEnd(6)} ${e.label}: ${typeText(e)}`);
  };
  entities("imports", r.imports.map((i) => ({ ...i, label: `${i.module}.${i.name}` })));
  entities("exports", r.exports.map((e) => ({ ...e, label: e.name })));
  lines.push(
    `functions: ${r.functions.imported} imported, ${r.functions.defined} defined (${r.functions.codeBytes} bytes of code)`,
  );
  lines.push(`memories (${r.memories.length}):`);
  for (const m of r.memories) {
    lines.push(`  ${m.index}: ${limits(m, "pages")}${m.imported ? " (imported)" : ""}`);
  }
  lines.push(`tables (${r.tables.length}):`);
  for (const t of r.tables) {
    lines.push(`  ${t.index}: ${t.element}, ${limits(t, "elements")}${t.imported ? " (imported)" : ""}`);
  }
  lines.push(`globals (${r.globals.length}):`);
  for (const g of r.globals) {
    lines.push(`  ${g.index}: ${g.mutable ? "mut " : ""}${g.type}${g.imported ? " (imported)" : ""}`);
  }
  lines.push(`start function: ${r.start ? `${r.start.index} (${r.start.name})` : "none"}`);
  lines.push(`sections (${r.sections.length}):`);
  for (const s of r.sections) {
    const name = s.custom ? `custom "${s.name}"` : s.name;
    lines.push(`  ${name.padEnd(22)} offset 0x${s.offset.toString(16).padEnd(7)} ${s.size} bytes`);
  }
  const customs = r.sections.filter((s) => s.custom);
  lines.push(
    `custom sections: ${
      customs.length ? customs.map((s) => `${s.name} (${s.size} bytes)`).join(", ") : "none"
    }`,
  );
  lines.push(`features: ${r.features.length ? r.features.join(", ") : "none beyond the MVP"}`);
  if (r.unscannedFunctions.length) {
    lines.push(
      `  (${r.unscannedFunctions.length} function bodies use instructions the scanner does not know)`,
    );
  }
  return lines.join("\n");
}

function decode(path: string, bytes: Uint8Array): ModuleInfo {
  try {
    return decodeModule(bytes);
  } catch (err) {
    if ((err as Error)?.name === "CompileError") {
      throw new CliFailure(`${path}: invalid module: ${oneLine((err as Error).message)}`);
    }
    throw err;
  }
}

export async function runInspect(source: string, json: boolean, io: CliIo): Promise<number> {
  const { bytes, fromText } = await loadModule(source, io.stdin);
  const path = moduleLabel(source);
  const report = inspectModule(decode(path, bytes));
  if (json) out(io, JSON.stringify({ file: path, format: fromText ? "text" : "binary", ...report }, null, 2));
  else out(io, text(path, report, fromText));
  return 0;
}
