/** The --help texts, one per command. */
import type { Topic } from "./args.ts";

const MAIN = `wasmrun: run WebAssembly programs (WASI preview1) on an engine written in TypeScript
(an interpreter that compiles hot functions to JavaScript), or on V8's own with --engine v8

Usage:
  wasmrun [exec|run] [options] <module.wasm> [args...]   run a program
  wasmrun inspect [--json] <module.wasm>                 show imports, exports, sections, features
  wasmrun validate <module.wasm>                         check that a module is valid
  wasmrun print [--folded] <module.wasm>                 print a module as WebAssembly text
  wasmrun parse [-o FILE] <module.wat>                   turn WebAssembly text into a binary module
  wasmrun help [exec|inspect|validate|print|parse]       show help for a command
  wasmrun -h, --help                                     show this help
  wasmrun -V, --version                                  show the version

Wherever a module is expected, it may be a binary or WebAssembly text: a file that starts with
\\0asm is a binary, any other is read as text. The content decides, not the file name. A module
path of '-' reads the module from stdin.

Run 'wasmrun exec --help' for the options of exec.`;

const EXEC = `Usage: wasmrun [exec|run] [options] <module.wasm> [args...]

Runs a WASI command (its _start export), or its 'main' export when there is no _start.
The module may be a binary or WebAssembly text (parsed first; the content decides, not the name),
or '-' to read it from stdin (the program then finds its own stdin at end of input).
Options come before the module path; everything after it is passed to the program.
A '--' just before or just after the module path is dropped.

Options:
  --dir HOST[::GUEST][:ro]  give the program the host directory HOST, which it sees as GUEST
                            (default: HOST); ':ro' (or '::ro') makes it read-only. Repeatable.
                            Without --dir, the current directory is given as '.' (when Deno
                            may read it); any --dir replaces that.
  --no-default-dir          do not give the program the current directory when there is no --dir
  --tcplisten HOST:PORT     preopen a listening TCP socket on HOST:PORT (an IP literal or
                            localhost) as the next fd after the directories, for the program to
                            accept connections from (needs deno --allow-net for it and
                            --allow-ffi). Repeatable.
  --env NAME=VALUE          set an environment variable for the program. Repeatable.
  --env NAME                pass the host's NAME through (needs deno --allow-env=NAME)
  --inherit-env             pass the whole host environment (needs deno --allow-env)
  --argv0 NAME              the program's argv[0] (default: the module's file name; '-' for a
                            module read from stdin)
  --invoke, --call, -c NAME call the exported function NAME instead of the entry point; the
                            arguments after the module path are its parameters (i32/i64 in
                            decimal or 0x hex, f32/f64 as numbers, nan, inf, -inf, -0); each
                            result is printed on its own line. A reactor's _initialize runs first.
  -h, --help                show this help
  -V, --version             show wasmrun's version

Nothing from the host environment is visible unless given with these options, and of the file
system only what --dir gives (by default the current directory, as above).
Deno's own permissions apply as well: a file the Deno process may not read or write gives the
program EACCES for that call, and wasmrun says once per path on stderr which flag would allow it.

Sandbox (how the host reaches the --dir directories):
  --fs-backend auto|native|deno
                            native: real directory descriptors through the C library (needs
                            deno --allow-ffi or -A; Linux on x86_64/aarch64). Every path is
                            resolved by the kernel below the directory it starts from
                            (openat2 RESOLVE_BENEATH), so nothing another process does to the
                            directories meanwhile can lead the program out; times are exact to
                            the nanosecond. deno: Deno's path APIs; each stored path is checked
                            again, component by component, on every use, and an opened file must
                            be the one that was checked. What stays racy there: while another
                            process swaps a directory inside a --dir for a symlink, a create,
                            mkdir, remove, rename, link or set-times can land where the symlink
                            points, and an open timed around both swaps can read what it points
                            to; reads of the process's stdin are not cut short by --timeout.
                            auto (default): native when it can be used, else deno.

Limits (a guest that hits one stops with a trap: exit status 134):
  --fuel N                  stop after N units of executed work ("fuel exhausted"); the count is
                            deterministic, so the same program and input stop at the same place
  --timeout DURATION        stop a guest running longer than DURATION (500ms, 10s, 2m, 1h),
                            checked at loop back-edges and calls
  --max-memory SIZE         cap every memory at SIZE (bytes, or 640KiB, 64MiB, 1GiB; KB/MB/GB are
                            powers of 1000), rounded down to 64 KiB pages: memory.grow past it
                            returns -1, and a module whose minimum is larger does not start (exit 1)
  --max-stack N             maximum wasm call depth ("call stack exhausted" beyond it)

Engine:
  --engine wasmrun|v8       what runs the program: wasmrun's engine (default), or the built-in
                            WebAssembly of Deno's V8, with the same WASI host. With v8, --fuel,
                            --max-stack, --profile, --interpret, --tier-up and --cache-dir are
                            refused (usage error); --max-memory lowers the module's memory
                            maxima to the cap; --timeout runs the program in a worker that is
                            stopped when the time is up (it needs deno --allow-read for
                            wasmrun's src/ directory); a trap has no backtrace.
  --interpret               run on the threaded-code interpreter only; by default functions start
                            there and are compiled to JavaScript once hot, or at their first call
                            in a module of less than 1 MiB of code (fuel counts the same)
  --tier-up N               how hot: the heat a function spends on the interpreter first; a call
                            spends 100, a loop iteration 1 (default 20000 plus 50 per byte of the
                            function's code, and 0 in a module of less than 1 MiB of code; 0
                            compiles at the first call)
  --no-cache                do not keep or reuse compiled code; by default the JS generated for
                            a module's hot functions is kept (when write permission to the cache
                            directory is granted) and a later run of the same module starts with it
  --cache-dir DIR           where that compile cache lives (default: $WASMRUN_CACHE_DIR, else
                            wasmrun/ in Deno's cache directory: DENO_DIR or its platform default)

Diagnostics (on stderr):
  --trace[=SCOPES]          log every WASI call with its decoded arguments (flags by name),
                            then its errno and the values it returned:
                              ==> path_open(fd=3, dirflags=SYMLINK_FOLLOW, path="a", oflags=CREAT, …)
                              <== errno=ACCES (Deno permission: write /data/a)
                            SCOPES: a comma-separated list of fs, clock, proc, random, poll,
                            sock (default all)
  --profile[=text]          at exit, list the functions that executed the most operations and
                            their share of the total
  --profile=json[,FILE]     write that profile instead to FILE (default wasmrun-profile.json) in
                            speedscope's format (https://www.speedscope.app opens it)
  --no-demangle             show Rust and C++ function names in backtraces and profiles as the
                            module's name section has them (by default they are demangled)

Exit status: the program's exit code (0 when _start returns); 134 after a trap, including
running out of fuel or time and exhausting the stack ('Error: <message>' and a backtrace go to
stderr, innermost frame first: '  0: 0x2bb - fib', the byte offset of the instruction in the
module and the function's name, demangled, or $INDEX without a name section); 1 for an
unreadable, invalid (malformed text: 'file:line:column: reason') or unlinkable module, or one
that needs more memory than --max-memory; 2 for a usage error.`;

const INSPECT = `Usage: wasmrun inspect [--json] <module.wasm>

Shows a module's imports and exports with their types, its memories, tables and globals, its
sections with offsets and sizes, its custom sections, and the post-MVP features its code uses.
For WebAssembly text, sizes and offsets are those of the binary it encodes.

Options:
  --json      print the same as JSON
  -h, --help  show this help`;

const VALIDATE = `Usage: wasmrun validate <module.wasm>

Decodes and validates a module (a binary, or WebAssembly text, which is parsed first). Exit
status 0 when it is valid; otherwise the CompileError (for malformed text: 'file:line:column:
reason') is printed and the exit status is 1.

Options:
  -h, --help  show this help`;

const PRINT = `Usage: wasmrun print [--folded] <module.wasm>

Prints a module as WebAssembly text on stdout, with the names of its name section as $names.
WebAssembly text is parsed first, so this shows how wasmrun reads it. The module is decoded,
not validated.

Options:
  --folded    nest instructions as S-expressions: (i32.add (local.get 0) (i32.const 1))
  -h, --help  show this help

Exit status 0; 1 for an unreadable or malformed module (one line saying why); 2 for a usage error.`;

const PARSE = `Usage: wasmrun parse [-o FILE] <module.wat>

Encodes a WebAssembly text module as a binary (a binary module is passed through unchanged). The
text is encoded as written, not validated: run 'wasmrun validate' on the result for that.

Options:
  -o, --output FILE  write the binary to FILE; it is written only once the whole text has
                     parsed, so malformed text leaves no file behind. Without -o, or with
                     '-o -', the binary goes to stdout, unless stdout is a terminal.
  -h, --help         show this help

Exit status 0; 1 for an unreadable or malformed module ('file:line:column: reason') or an
output file that cannot be written; 2 for a usage error, including stdout on a terminal.`;

export function helpText(topic: Topic): string {
  return { main: MAIN, exec: EXEC, inspect: INSPECT, validate: VALIDATE, print: PRINT, parse: PARSE }[topic];
}
