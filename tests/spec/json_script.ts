/**
 * wabt's `wast2json` output (../shared/spec/wasm-2.0-json: NAME/NAME.json plus the module files it names)
 * converted to the script model of src/text/wast_types.ts, so one runner (script_run.ts) serves both the
 * JSON suite and the `.wast` scripts our parser reads. Binary modules are read from their `.wasm` files;
 * the `.wat` files (the text of a `(module quote …)`) become quoted modules.
 */
import type { WastAction, WastCommand, WastModuleSource, WastValue } from "../../src/text/wast_types.ts";

interface JsonAction {
  type: "invoke" | "get";
  module?: string;
  field: string;
  args?: WastValue[];
}

interface JsonCommand {
  type: string;
  line: number;
  filename?: string;
  module_type?: string;
  name?: string;
  as?: string;
  text?: string;
  action?: JsonAction;
  expected?: WastValue[];
}

function source(cmd: JsonCommand, dir: URL): WastModuleSource {
  const url = new URL(cmd.filename!, dir);
  if (cmd.module_type === "text" || cmd.filename!.endsWith(".wat")) {
    return { kind: "quote", text: Deno.readTextFileSync(url) };
  }
  return { kind: "binary", bytes: Deno.readFileSync(url) };
}

function action(a: JsonAction): WastAction {
  return { type: a.type, module: a.module, field: a.field, args: a.args ?? [] };
}

/** One JSON command in the model; throws on a command type wast2json does not write. */
function convert(cmd: JsonCommand, dir: URL): WastCommand {
  const at = { line: cmd.line, column: 1 };
  const text = cmd.text ?? "";
  switch (cmd.type) {
    case "module":
      return { ...at, type: "module", name: cmd.name, module: source(cmd, dir) };
    case "register":
      return { ...at, type: "register", as: cmd.as!, name: cmd.name };
    case "action":
      return { ...at, type: "action", action: action(cmd.action!) };
    case "assert_return":
      return { ...at, type: "assert_return", action: action(cmd.action!), expected: cmd.expected ?? [] };
    case "assert_trap":
    case "assert_exhaustion":
      return { ...at, type: cmd.type, action: action(cmd.action!), text };
    case "assert_invalid":
    case "assert_malformed":
    case "assert_unlinkable":
    case "assert_uninstantiable":
      return { ...at, type: cmd.type, module: source(cmd, dir), text };
  }
  throw new Error(`${dir.pathname}: unknown JSON command type ${cmd.type} (line ${cmd.line})`);
}

/** The commands of spec file `file` (e.g. "address") of the JSON suite at `root`. */
export function readJsonScript(root: URL, file: string): WastCommand[] {
  const dir = new URL(`${file}/`, root);
  const json = JSON.parse(Deno.readTextFileSync(new URL(`${file}.json`, dir)));
  return (json.commands as JsonCommand[]).map((c) => convert(c, dir));
}
