/**
 * Command-line parsing: `wasmrun [exec] [options] <module.wasm> [args…]`, `wasmrun inspect`,
 * `wasmrun validate`, `wasmrun print`, `wasmrun parse`, `wasmrun help`. Options of exec, inspect
 * and validate come before the module path; everything after it belongs to the guest (or, with
 * --invoke, is the function's arguments). A `--` just before or just after the module path is
 * dropped. print and parse take nothing but their module, so their options may go anywhere.
 */

import { UsageError } from "./failure.ts";
import { parseCount, parseDuration, parseMemoryPages } from "./limits.ts";
import { parseTraceScopes, type TraceScope } from "../wasi/trace.ts";

export { UsageError };

export interface DirSpec {
  host: string;
  guest: string;
  readOnly: boolean;
}

/** `--env NAME=VALUE` sets a value; `--env NAME` passes the host's value through. */
export interface EnvSpec {
  name: string;
  value?: string;
}

export interface ExecCommand {
  command: "exec";
  module: string;
  guestArgs: string[];
  dirs: DirSpec[];
  /** Preopen the current directory as `.` when no --dir is given; off with --no-default-dir. */
  defaultDir: boolean;
  /** Listening sockets to preopen (--tcplisten HOST:PORT), after the directories. */
  tcpListen: string[];
  env: EnvSpec[];
  inheritEnv: boolean;
  argv0?: string;
  invoke?: string;
  /** Engine limits (wasmrun's engine options); undefined when not given. */
  fuel?: number;
  timeoutMs?: number;
  maxMemoryPages?: number;
  maxStack?: number;
  /** Log every WASI call to stderr. */
  trace: boolean;
  /** `--trace=fs,clock`: the scopes traced (all when undefined). */
  traceScopes?: TraceScope[];
  /** Print the functions that executed the most instructions, at exit. */
  profile: boolean;
  /** `--profile=json[,FILE]`: the profile goes to FILE in speedscope's format instead (profile.ts). */
  profileJson?: string;
  /** false with --no-demangle: backtraces and profiles show names as the name section has them. */
  demangle?: boolean;
  /** Run on the threaded-code interpreter only (no compilation to JS). */
  interpret: boolean;
  /** Heat a function spends on the interpreter before it is compiled (wasmrun's `tierUp`). */
  tierUp?: number;
  /** How the WASI host reaches the preopened directories. */
  fsBackend: "auto" | "native" | "deno";
  /** Keep and reuse the JS generated for the module (the compile cache); off with --no-cache. */
  cache: boolean;
  /** Where the compile cache lives (default: `wasmrun` in Deno's cache directory). */
  cacheDir?: string;
  /** The engine asked for with --engine; undefined: the caller's choice (wasmrun's by default). */
  engine?: EngineName;
}

/** The engines --engine picks from: wasmrun's own, or the JS runtime's built-in WebAssembly. */
export type EngineName = "wasmrun" | "v8";

export type Topic = "main" | "exec" | "inspect" | "validate" | "print" | "parse";

/** `wasmrun parse`: the binary goes to `output`, or to stdout when that is undefined. */
export interface ParseCommand {
  command: "parse";
  module: string;
  output?: string;
}

export type Command =
  | ExecCommand
  | { command: "inspect"; module: string; json: boolean }
  | { command: "validate"; module: string }
  | { command: "print"; module: string; folded: boolean }
  | ParseCommand
  | { command: "help"; topic: Topic; toStderr?: boolean }
  | { command: "version" };

/**
 * `--dir HOST[::GUEST][:ro]`; read-only may also be written `::ro` (the form proposed for wasmtime). A
 * path that would end in ':' (a misspelt `:ro`, say) is refused rather than taken as a name.
 */
export function parseDir(spec: string): DirSpec {
  let s = spec;
  const readOnly = s.endsWith(":ro");
  if (readOnly) s = s.slice(0, s.endsWith("::ro") ? -4 : -3);
  const parts = s.split("::");
  const [host, guest = host] = parts;
  if (parts.length > 2 || host === "" || guest === "") {
    throw new UsageError(`--dir ${JSON.stringify(spec)}: expected HOST[::GUEST][:ro]`);
  }
  if (host.endsWith(":") || guest.endsWith(":")) {
    throw new UsageError(`--dir ${JSON.stringify(spec)}: a path ends in ':' (expected HOST[::GUEST][:ro])`);
  }
  return { host, guest, readOnly };
}

export function parseEnv(spec: string): EnvSpec {
  const eq = spec.indexOf("=");
  const name = eq < 0 ? spec : spec.slice(0, eq);
  if (name === "" || name.includes("\0")) {
    throw new UsageError(`--env ${JSON.stringify(spec)}: expected NAME=VALUE or NAME`);
  }
  return eq < 0 ? { name } : { name, value: spec.slice(eq + 1) };
}

/** Splits `--opt=value`, or takes the value from the next argument. */
class Cursor {
  i = 0;
  constructor(readonly argv: string[]) {}
  get done(): boolean {
    return this.i >= this.argv.length;
  }
  peek(): string {
    return this.argv[this.i];
  }
  next(): string {
    return this.argv[this.i++];
  }
  value(option: string, inline: string | undefined): string {
    if (inline !== undefined) return inline;
    if (this.done) throw new UsageError(`${option} needs a value`);
    return this.next();
  }
}

function splitOption(arg: string): [string, string | undefined] {
  const eq = arg.indexOf("=");
  return arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
}

function isOption(arg: string): boolean {
  return arg.startsWith("-") && arg !== "-";
}

function takeModule(c: Cursor, command: string): string {
  if (c.done) throw new UsageError(`missing module path (usage: wasmrun ${command} [options] <module.wasm>)`);
  return c.next();
}

/** `--trace=SCOPES` (only inline: a bare `--trace` must not take the module path as its value). */
function traceScopes(list: string): TraceScope[] {
  try {
    return parseTraceScopes(list);
  } catch (err) {
    throw new UsageError(`--trace=${list}: ${(err as Error).message}`);
  }
}

/**
 * `--profile=text`, `--profile=json` or `--profile=json,FILE` (wasmtime's `--profile=guest[,path]`):
 * the JSON file's path, or undefined for the text report.
 */
function profileTarget(value: string): string | undefined {
  const [kind, ...rest] = value.split(",");
  if (kind === "text" && rest.length === 0) return undefined;
  if (kind === "json" && rest.join(",") !== "") return rest.join(",");
  if (kind === "json" && rest.length === 0) return "wasmrun-profile.json";
  throw new UsageError(`--profile=${value}: expected text, json or json,FILE`);
}

function parseExec(c: Cursor): Command {
  const cmd: ExecCommand = {
    command: "exec",
    module: "",
    guestArgs: [],
    dirs: [],
    defaultDir: true,
    tcpListen: [],
    env: [],
    inheritEnv: false,
    trace: false,
    profile: false,
    interpret: false,
    fsBackend: "auto",
    cache: true,
  };
  while (!c.done && isOption(c.peek())) {
    const [name, inline] = splitOption(c.next());
    if (name === "--") break;
    switch (name) {
      case "-h":
      case "--help":
        return { command: "help", topic: "exec" };
      case "-V":
      case "--version":
        return { command: "version" };
      case "--dir":
        cmd.dirs.push(parseDir(c.value(name, inline)));
        break;
      case "--no-default-dir":
        cmd.defaultDir = false;
        break;
      case "--engine": {
        const value = c.value(name, inline);
        if (value !== "wasmrun" && value !== "v8") {
          throw new UsageError(`--engine ${JSON.stringify(value)}: expected wasmrun or v8`);
        }
        cmd.engine = value;
        break;
      }
      case "--tcplisten":
        cmd.tcpListen.push(c.value(name, inline));
        break;
      case "--env":
        cmd.env.push(parseEnv(c.value(name, inline)));
        break;
      case "--inherit-env":
        cmd.inheritEnv = true;
        break;
      case "--argv0":
        cmd.argv0 = c.value(name, inline);
        break;
      case "--invoke":
      case "--call":
      case "-c":
        cmd.invoke = c.value(name, inline);
        break;
      case "--fuel":
        cmd.fuel = parseCount(name, c.value(name, inline));
        break;
      case "--timeout":
        cmd.timeoutMs = parseDuration(name, c.value(name, inline));
        break;
      case "--max-memory":
        cmd.maxMemoryPages = parseMemoryPages(name, c.value(name, inline));
        break;
      case "--max-stack":
        cmd.maxStack = parseCount(name, c.value(name, inline));
        break;
      case "--trace":
        cmd.trace = true;
        if (inline !== undefined) cmd.traceScopes = traceScopes(inline);
        break;
      case "--profile":
        // Only inline, as --trace: a bare `--profile` must not take the module path as its value.
        cmd.profile = true;
        if (inline !== undefined) cmd.profileJson = profileTarget(inline);
        break;
      case "--no-demangle":
        cmd.demangle = false;
        break;
      case "--interpret":
        cmd.interpret = true;
        break;
      case "--tier-up":
        cmd.tierUp = parseCount(name, c.value(name, inline), { zero: true });
        break;
      case "--no-cache":
        cmd.cache = false;
        break;
      case "--cache-dir":
        cmd.cacheDir = c.value(name, inline);
        break;
      case "--fs-backend": {
        const value = c.value(name, inline);
        if (value !== "auto" && value !== "native" && value !== "deno") {
          throw new UsageError(`--fs-backend ${JSON.stringify(value)}: expected auto, native or deno`);
        }
        cmd.fsBackend = value;
        break;
      }
      default:
        throw new UsageError(`unknown option ${name} (see wasmrun --help)`);
    }
  }
  cmd.module = takeModule(c, "exec");
  cmd.guestArgs = c.argv.slice(c.i);
  if (cmd.guestArgs[0] === "--") cmd.guestArgs.shift();
  return cmd;
}

function parseInspectOrValidate(c: Cursor, command: "inspect" | "validate"): Command {
  let json = false;
  while (!c.done && isOption(c.peek())) {
    const arg = c.next();
    if (arg === "--") break;
    if (arg === "-h" || arg === "--help") return { command: "help", topic: command };
    if (arg === "--json" && command === "inspect") json = true;
    else throw new UsageError(`unknown option ${arg} for ${command} (see wasmrun ${command} --help)`);
  }
  const module = takeModule(c, command);
  if (!c.done) {
    throw new UsageError(`${command} takes one module, got extra argument ${JSON.stringify(c.peek())}`);
  }
  return command === "inspect" ? { command, module, json } : { command, module };
}

/** `print [--folded] <module>`, `parse [-o FILE] <module>`: one module, options before or after it. */
function parseConversion(c: Cursor, command: "print" | "parse"): Command {
  const usage = command === "print" ? "print [--folded] <module.wasm>" : "parse [-o FILE] <module.wat>";
  let module: string | undefined;
  let folded = false;
  let output: string | undefined;
  let optionsEnded = false;
  while (!c.done) {
    const arg = c.next();
    if (optionsEnded || !isOption(arg)) {
      if (module !== undefined) {
        throw new UsageError(`${command} takes one module, got extra argument ${JSON.stringify(arg)}`);
      }
      module = arg;
      continue;
    }
    const [name, inline] = splitOption(arg);
    if (name === "--") optionsEnded = true;
    else if (name === "-h" || name === "--help") return { command: "help", topic: command };
    else if (command === "print" && name === "--folded" && inline === undefined) folded = true;
    else if (command === "parse" && (name === "-o" || name === "--output")) {
      if (output !== undefined) throw new UsageError(`${name} is given twice`);
      output = c.value(name, inline);
      if (output === "") throw new UsageError(`${name} needs a file name (or - for stdout)`);
    } else throw new UsageError(`unknown option ${arg} for ${command} (see wasmrun ${command} --help)`);
  }
  if (module === undefined) throw new UsageError(`missing module path (usage: wasmrun ${usage})`);
  if (command === "print") return { command, module, folded };
  // `-o -` is stdout, as with most tools that write files.
  return output === undefined || output === "-" ? { command, module } : { command, module, output };
}

const TOPICS: readonly string[] = ["exec", "inspect", "validate", "print", "parse"];

export function parseCommandLine(argv: string[]): Command {
  const c = new Cursor(argv);
  // Called with nothing: the overview, on stderr, as a usage error.
  if (c.done) return { command: "help", topic: "main", toStderr: true };
  const first = c.peek();
  if (first === "-h" || first === "--help") return { command: "help", topic: "main" };
  if (first === "help") {
    c.next();
    const asked = c.done ? "main" : c.next();
    const topic = asked === "run" ? "exec" : asked;
    if (topic !== "main" && !TOPICS.includes(topic)) {
      throw new UsageError(`no help for ${JSON.stringify(topic)}`);
    }
    return { command: "help", topic: topic as Topic };
  }
  if (first === "exec" || first === "run") { // run: wasmtime's spelling
    c.next();
    return parseExec(c);
  }
  if (first === "inspect" || first === "validate") {
    c.next();
    return parseInspectOrValidate(c, first);
  }
  if (first === "print" || first === "parse") {
    c.next();
    return parseConversion(c, first);
  }
  return parseExec(c);
}
