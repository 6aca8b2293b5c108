/**
 * The layer rule of src/ (issue 11, ../shared/design/engine-layers.md §4), read from the imports of every
 * file: a folder imports only from the folders below it.
 *
 * - `src/wasm/`, the binary format, imports nothing outside itself;
 * - `src/runtime/`, what every tier stands on, imports only `src/wasm/`;
 * - `src/interp/`, tier 0, imports `src/runtime/` and `src/wasm/`; its `ops/`, the closure factories,
 *   not even the rest of the interpreter;
 * - `src/jit/`, tier 1, imports `src/runtime/`, `src/wasm/` and, of the interpreter, only `src/interp/ops/`;
 * - `src/engine/`, the only folder that knows both tiers, imports them;
 * - `src/api/` imports `src/engine/`, `src/runtime/`, `src/wasm/`;
 * - `src/wasi/`, the WASI host, imports nothing of the engine; `src/cli/` only `src/wasm/` and `src/wasi/`;
 * - `src/host/`, small helpers over the host (paths, SHA-256) in place of Node's modules, imports
 *   nothing, and every folder may import it.
 *
 * An arrow that breaks the rule but is known and due to go is listed in `KNOWN` with its reason; a listed
 * arrow that no longer exists fails the test, so the list only shrinks.
 *
 * And no file of src/ imports itself through others, except along `import type` edges (which TypeScript
 * erases): a cycle makes what a module sees at load time depend on which one is loaded first.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** A folder of src/ and the folders its files may import from (the longest matching folder applies). */
const RULES: { folder: string; mayImport: string[] }[] = [
  { folder: "src/host/", mayImport: ["src/host/"] },
  { folder: "src/wasm/", mayImport: ["src/wasm/"] },
  { folder: "src/runtime/", mayImport: ["src/runtime/", "src/wasm/"] },
  { folder: "src/interp/ops/", mayImport: ["src/interp/ops/", "src/runtime/", "src/wasm/"] },
  { folder: "src/interp/", mayImport: ["src/interp/", "src/runtime/", "src/wasm/"] },
  { folder: "src/jit/", mayImport: ["src/jit/", "src/interp/ops/", "src/runtime/", "src/wasm/"] },
  {
    folder: "src/engine/",
    mayImport: ["src/engine/", "src/jit/", "src/interp/", "src/runtime/", "src/wasm/"],
  },
  { folder: "src/api/", mayImport: ["src/api/", "src/engine/", "src/runtime/", "src/wasm/"] },
  { folder: "src/wasi/", mayImport: ["src/wasi/"] },
  { folder: "src/text/", mayImport: ["src/text/", "src/wasm/"] },
  { folder: "src/cli/", mayImport: ["src/cli/", "src/text/", "src/wasm/", "src/wasi/"] },
];

/** The folder every other folder may import (see the list above). */
const HOST = "src/host/";

/** Arrows that break a rule, each with the reason it is still there. */
const KNOWN: { from: string; to: string; why: string }[] = [];

interface Arrow {
  from: string;
  to: string;
  typeOnly: boolean;
}

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The relative imports of one source text, resolved to repository paths. */
export function importsOf(file: string, text: string): Arrow[] {
  const arrows: Arrow[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    if (!spec.startsWith(".")) continue;
    const to = new URL(spec, new URL(file, ROOT)).href.slice(ROOT.href.length);
    arrows.push({ from: file, to, typeOnly: m[2] !== undefined });
  }
  return arrows;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(new URL(dir, ROOT))) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) out.push(...sourceFiles(`${path}/`));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** The arrows that break a rule (type-only imports included: a layer should not even name what is above it). */
export function violations(arrows: Arrow[]): Arrow[] {
  return arrows.filter((a) => {
    const rule = RULES.filter((r) =>
      a.from.startsWith(r.folder)
    ).sort((x, y) => y.folder.length - x.folder.length)[0];
    if (rule === undefined || (a.to.startsWith(HOST) && !a.from.startsWith(HOST))) return false;
    return !rule.mayImport.some((allowed) => a.to.startsWith(allowed));
  });
}

/** The import cycles along value (not type-only) imports: each as its files, in one cycle order. */
export function valueCycles(arrows: Arrow[]): string[][] {
  const next = new Map<string, string[]>();
  for (const a of arrows) if (!a.typeOnly) next.set(a.from, [...(next.get(a.from) ?? []), a.to]);
  // Tarjan's strongly connected components: a component of more than one file holds a cycle.
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [];
  const onStack = new Set<string>(), cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size), low.set(v, index.get(v)!), stack.push(v), onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do (w = stack.pop()!, onStack.delete(w), component.push(w)); while (w !== v);
    if (component.length > 1 || next.get(v)?.includes(v)) cycles.push(component.reverse());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

const allArrows = () =>
  sourceFiles("src/").flatMap((file) => importsOf(file, Deno.readTextFileSync(new URL(file, ROOT))));

Deno.test("layers: src/wasm, src/runtime, src/wasi and src/cli import only what lies below them", () => {
  const arrows = allArrows();
  assert.ok(arrows.length > 300, `only ${arrows.length} imports found: is the import pattern still right?`);
  const broken = violations(arrows);
  const unknown = broken.filter((a) => !KNOWN.some((k) => k.from === a.from && k.to === a.to));
  assert.deepEqual(unknown.map((a) => `${a.from} -> ${a.to}`), [], "imports that break the layer rule");
  const gone = KNOWN.filter((k) => !broken.some((a) => a.from === k.from && a.to === k.to));
  assert.deepEqual(
    gone.map((k) => `${k.from} -> ${k.to}`),
    [],
    "KNOWN lists arrows that no longer exist: remove them",
  );
});

Deno.test("layers: the check notices an upward import, a dynamic one and a type-only one", () => {
  const planted = [
    ["src/wasm/reader.ts", `import { I32 } from "../interp/machine.ts";`],
    ["src/wasm/decoder.ts", `const jit = await import("../jit/tier.ts");`],
    ["src/cli/run.ts", `import type { WasmFunc } from "../runtime/objects.ts";`],
    ["src/runtime/machine.ts", `import { lowerFunction } from "../interp/lower.ts";`],
    ["src/wasi/poll.ts", `export { x } from "../api/instance.ts";`],
  ] as const;
  for (const [file, line] of planted) {
    const arrows = importsOf(file, `// a comment\n${line}\n`);
    assert.equal(arrows.length, 1, line);
    assert.equal(violations(arrows).length, 1, `${file}: ${line}`);
  }
  // And the same files importing within their rule pass.
  assert.deepEqual(violations(importsOf("src/wasm/decoder.ts", `import { Reader } from "./reader.ts";`)), []);
  assert.deepEqual(violations(importsOf("src/cli/run.ts", `import { WASI } from "../wasi/mod.ts";`)), []);
});

Deno.test("layers: no import cycle among the files of src/ but through type-only imports", () => {
  assert.deepEqual(valueCycles(allArrows()), []);
  // The check itself: a cycle of value imports is found, the same cycle through a type import is not.
  const a = importsOf("src/runtime/a.ts", `import { b } from "./b.ts";`);
  const b = importsOf("src/runtime/b.ts", `import { a } from "./a.ts";`);
  const bType = importsOf("src/runtime/b.ts", `import type { A } from "./a.ts";`);
  assert.deepEqual(valueCycles([...a, ...b]), [["src/runtime/a.ts", "src/runtime/b.ts"]]);
  assert.deepEqual(valueCycles([...a, ...bType]), []);
});
