/**
 * WebAssembly text where the command line expects a module: recognised by its content, whatever the
 * file is called, and parsed into the binary the rest of the command line works on. The parser is
 * loaded only when a file is text, so running a binary does not pay for it.
 */
import { errorMessage, errorName } from "./engine.ts";
import { CliFailure } from "./failure.ts";

/** What the start of a file that is not a binary says it is. */
export type TextKind = "module" | "component" | "other";

const OPEN = 0x28, CLOSE = 0x29, SEMI = 0x3b, NEWLINE = 0x0a;
const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * Skips white space and comments (`;; …` to the end of the line, nested `(; … ;)`) from `at`; returns
 * where the first token starts (the length when there is none). Bytes suffice: all of these are ASCII.
 */
function skipBlank(bytes: Uint8Array, at: number): number {
  let i = at;
  while (i < bytes.length) {
    if (isSpace(bytes[i])) i++;
    else if (bytes[i] === SEMI && bytes[i + 1] === SEMI) {
      while (i < bytes.length && bytes[i] !== NEWLINE) i++;
    } else if (bytes[i] === OPEN && bytes[i + 1] === SEMI) {
      let depth = 0;
      do {
        if (bytes[i] === OPEN && bytes[i + 1] === SEMI) depth++, i += 2;
        else if (bytes[i] === SEMI && bytes[i + 1] === CLOSE) depth--, i += 2;
        else i++;
      } while (depth > 0 && i < bytes.length);
    } else break;
  }
  return i;
}

const COMPONENT = new TextEncoder().encode("component");

/**
 * A text module is `(module …)` or its fields alone, so it starts with `(` once blanks and comments
 * are skipped (or holds nothing else: the empty module). A C source or a README does not, and is
 * reported as "not a WebAssembly module" rather than as a parse error on its first character.
 */
export function textKind(bytes: Uint8Array): TextKind {
  const first = skipBlank(bytes, bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0);
  if (first === bytes.length) return "module";
  if (bytes[first] !== OPEN) return "other";
  const word = skipBlank(bytes, first + 1);
  const after = bytes[word + COMPONENT.length];
  const wordEnds = after === undefined || isSpace(after) || after === OPEN || after === CLOSE ||
    after === SEMI;
  return wordEnds && COMPONENT.every((b, k) => bytes[word + k] === b) ? "component" : "module";
}

/**
 * Parses the text of module file `path` into its binary. Malformed text is the file's fault: one line,
 * `path:line:column: reason` (the parser names the file), exit status 1. Anything else the parser throws
 * is passed on for the caller to report as wasmrun's own bug.
 */
export async function parseModuleText(path: string, bytes: Uint8Array): Promise<Uint8Array> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CliFailure(`${path} starts like WebAssembly text but is not valid UTF-8`);
  }
  const { parseWat } = await import("../text/mod.ts");
  try {
    return parseWat(text, { filename: path });
  } catch (err) {
    if (errorName(err) !== "CompileError") throw err;
    const message = errorMessage(err).split("\n")[0].trimEnd();
    // The parser's messages name the file; one that does not (input too deeply nested) gets the name here.
    throw new CliFailure(message.startsWith(`${path}:`) ? message : `${path}: ${message}`);
  }
}
