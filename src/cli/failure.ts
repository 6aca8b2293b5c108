/** A mistake in how wasmrun was called: one line, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure the command line reports as one line and an exit status (1 by default, 2 for usage). */
export class CliFailure extends Error {
  constructor(message: string, readonly status = 1) {
    super(message);
    this.name = "CliFailure";
  }
}
