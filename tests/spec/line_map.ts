/**
 * The lists keyed "file:line" (V8's known deviations, our JS tier's limits, the message exceptions) were
 * written against wabt's JSON, whose line for an assertion that wraps a module is the module's line;
 * our parser gives the line where the command starts. For the 2.0 `.wast` runs the keys are translated
 * by pairing the two command lists of a script in order (the same commands, as the model comparison
 * test checks). A script whose lists do not pair keeps its keys as they are, so nothing is hidden: the
 * assertion then counts as it runs.
 */
import type { WastCommand } from "../../src/text/wast_types.ts";
import { readJsonScript } from "./json_script.ts";
import { defaultSpecRoot } from "./harness.ts";

/** wabt line → our parser's lines, for one script; undefined when the command lists do not pair. */
function pairLines(ours: WastCommand[], wabt: WastCommand[]): Map<number, number[]> | undefined {
  if (ours.length !== wabt.length || ours.some((c, i) => c.type !== wabt[i].type)) return undefined;
  const lines = new Map<number, number[]>();
  wabt.forEach((c, i) => lines.set(c.line, [...lines.get(c.line) ?? [], ours[i].line]));
  return lines;
}

/** `keys` ("file:line" in wabt's lines) in our parser's lines, with `commandsOf` giving our commands. */
export function translateKeys<T>(
  keys: ReadonlyMap<string, T>,
  commandsOf: (file: string) => WastCommand[] | undefined,
): Map<string, T> {
  const perFile = new Map<string, Map<number, number[]> | undefined>();
  const out = new Map<string, T>();
  for (const [key, value] of keys) {
    const [file, line] = [key.slice(0, key.lastIndexOf(":")), key.slice(key.lastIndexOf(":") + 1)];
    if (!perFile.has(file)) {
      const ours = commandsOf(file);
      perFile.set(file, ours && pairLines(ours, readJsonScript(defaultSpecRoot, file)));
    }
    const lines = perFile.get(file)?.get(Number(line));
    if (lines) { for (const l of lines) out.set(`${file}:${l}`, value); }
    else out.set(key, value);
  }
  return out;
}
