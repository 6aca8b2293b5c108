/** The three error classes of the WebAssembly JS API, thrown by every part of the engine. */

/** A module is malformed (cannot be decoded) or invalid (fails validation). */
export class CompileError extends Error {
  /** Byte offset in the module where the problem was found, when known. */
  readonly offset?: number;
  /** `offset`, when given, is appended to the message in hex so it can be found with wasm-objdump. */
  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at byte offset 0x${offset.toString(16)})`);
    this.name = "CompileError";
    this.offset = offset;
  }
}

/** Instantiation failed because an import is missing or has the wrong type. */
export class LinkError extends Error {
  /** `message` names the import that could not be satisfied and why. */
  constructor(message: string) {
    super(message);
    this.name = "LinkError";
  }
}

/** A trap: execution stopped because the program did something the spec forbids. */
export class RuntimeError extends Error {
  /** `message` says which trap happened (e.g. "integer divide by zero"). */
  constructor(message: string) {
    super(message);
    this.name = "RuntimeError";
  }
}
