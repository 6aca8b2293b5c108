/**
 * Compares the commands our parser reads from a 2.0 `.wast` script with those wabt's `wast2json` wrote
 * for it (json_script.ts): same commands in the same order, with the same names, actions, arguments,
 * expected values and texts. Not their lines: wabt gives an assertion that wraps a module the module's
 * line, ours the line where the command starts (line_map.ts pairs them). Module contents are not
 * compared (two encoders may choose different valid encodings; running them judges them), only their
 * kind.
 */
import type { WastCommand } from "../../src/text/wast_types.ts";

/** What must agree, as comparable JSON: everything but the modules' bytes and quoted text. */
function essence(cmd: WastCommand): string {
  const { column: _column, line: _line, ...rest } = cmd;
  const copy: Record<string, unknown> = { ...rest };
  if ("module" in cmd && typeof cmd.module === "object") copy.module = cmd.module.kind;
  return JSON.stringify(copy, (_k, v) => v === undefined ? undefined : v);
}

export interface ModelComparison {
  agree: number;
  differ: number;
  /** The first differences, "line: ours … / wabt …". */
  details: string[];
}

/** Commands compared in order. */
export function compareModels(ours: WastCommand[], wabt: WastCommand[]): ModelComparison {
  const result: ModelComparison = { agree: 0, differ: 0, details: [] };
  const n = Math.max(ours.length, wabt.length);
  for (let i = 0; i < n; i++) {
    const a = ours[i] ? essence(ours[i]) : "(none)";
    const b = wabt[i] ? essence(wabt[i]) : "(none)";
    if (a === b) result.agree++;
    else {
      result.differ++;
      if (result.details.length < 5) {
        result.details.push(`command ${i + 1}: ours ${a.slice(0, 300)}\n      wabt ${b.slice(0, 300)}`);
      }
    }
  }
  return result;
}
