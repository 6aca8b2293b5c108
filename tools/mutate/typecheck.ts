/**
 * Which mutants are valid: the mutated file must still parse and type-check as well as the original did.
 * One TypeScript language service (npm:typescript) over the repository's src/, with Deno's own type
 * declarations (`deno types`) and `node:*` modules as `any`, so a check after a one-file change costs a
 * fraction of a second instead of a `deno check` process. A mutant is valid when the mutated file's
 * diagnostics are those of the original (by code and message; positions move).
 */
// A developer tool's own dependency, pinned here rather than in deno.json (TypeScript 5.9 is the last with
// the JS compiler API; 7 is the native port). Not part of the published package.
// deno-lint-ignore no-import-prefix
import ts from "npm:typescript@5.9.3";

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  noLib: false,
  lib: ["lib.esnext.d.ts"],
  types: [],
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
};

const DENO_TYPES = "/__deno__/deno.d.ts";
const NODE_SHIM = "/__deno__/node_modules.d.ts";
// A shorthand ambient module: everything imported from it is `any`.
const NODE_SHIM_TEXT = 'declare module "node:*";\n';

function denoTypes(): string {
  const out = new Deno.Command(Deno.execPath(), { args: ["types"], stdout: "piped", stderr: "null" })
    .outputSync();
  if (!out.success) throw new Error("`deno types` failed");
  // Deno's own libs ("deno.net", …) are unknown to plain TypeScript; their contents are in this file.
  return new TextDecoder().decode(out.stdout).replace(/^\/\/\/ <reference lib="deno\.[^"]*" \/>$/gm, "");
}

/** Type-checks mutated versions of files, one at a time. */
export class TypeChecker {
  private readonly texts = new Map<string, string>();
  private readonly versions = new Map<string, number>();
  private readonly service: ts.LanguageService;
  private readonly baseline = new Map<string, string[]>();

  /** `files`: absolute paths of every TypeScript file of the program (src/ and what it imports). */
  constructor(files: string[]) {
    this.texts.set(DENO_TYPES, denoTypes());
    this.texts.set(NODE_SHIM, NODE_SHIM_TEXT);
    for (const f of files) this.texts.set(f, Deno.readTextFileSync(f));
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [...this.texts.keys()],
      getScriptVersion: (f) => String(this.versions.get(f) ?? 0),
      getScriptSnapshot: (f) => {
        const text = this.texts.get(f) ?? readOrUndefined(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => "/",
      getCompilationSettings: () => OPTIONS,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => this.texts.has(f) || readOrUndefined(f) !== undefined,
      readFile: (f) => this.texts.get(f) ?? readOrUndefined(f),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry());
  }

  private diagnostics(file: string): string[] {
    const all = [
      ...this.service.getSyntacticDiagnostics(file),
      ...this.service.getSemanticDiagnostics(file),
    ];
    return all.map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`).sort();
  }

  /** The original file's diagnostics (normally none), computed once. */
  private baselineOf(file: string): string[] {
    let b = this.baseline.get(file);
    if (!b) {
      b = this.diagnostics(file);
      this.baseline.set(file, b);
    }
    return b;
  }

  /** The diagnostics `text` (a mutated `file`) has beyond the original's: empty means valid. */
  check(file: string, text: string): string[] {
    const base = this.baselineOf(file);
    const original = this.texts.get(file)!;
    this.set(file, text);
    try {
      const now = this.diagnostics(file);
      const left = [...base];
      return now.filter((d) => {
        const i = left.indexOf(d);
        if (i < 0) return true;
        left.splice(i, 1);
        return false;
      });
    } finally {
      this.set(file, original);
    }
  }

  private set(file: string, text: string): void {
    this.texts.set(file, text);
    this.versions.set(file, (this.versions.get(file) ?? 0) + 1);
  }
}

function readOrUndefined(f: string): string | undefined {
  try {
    return Deno.readTextFileSync(f);
  } catch {
    return undefined;
  }
}

export { ts };
