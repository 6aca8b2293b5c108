/**
 * wasmrun as a real process: `deno run … cli.ts` with stdin piped, exit statuses seen by the shell,
 * and Deno permission flags narrower than -A, which the WASI host must turn into EACCES per call
 * (or a one-line start-up error) instead of prompts or crashes. Each case is one subprocess; they
 * run concurrently in a single test to keep the suite fast.
 */
import "./cache_dir.ts";
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
const FIX = `${ROOT}tests/fixtures/wasi/`;
const CLI = `${ROOT}cli.ts`;

interface Proc {
  code: number;
  stdout: string;
  stderr: string;
}

async function wasmrun(flags: string[], args: string[], stdin = ""): Promise<Proc> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--quiet", ...flags, CLI, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("wasmrun in a subprocess: pipes, exit statuses, and Deno permissions as a second gate", async () => {
  const base = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "wasmrun_perm_" }));
  const sandbox = `${base}/sandbox`;
  Deno.mkdirSync(`${sandbox}/out`, { recursive: true });
  Deno.mkdirSync(`${sandbox}/secret`);
  Deno.writeTextFileSync(`${sandbox}/in.txt`, "input line");
  Deno.writeTextFileSync(`${sandbox}/secret/x`, "hidden");
  const readFix = `--allow-read=${FIX}`;
  try {
    const [pipe, exit42, trap, perms, envName, envAll, envValue, dirDenied, moduleDenied] = await Promise.all(
      [
        wasmrun([readFix], [`${FIX}stdio.wasm`], "piped in\nline 2\n"),
        wasmrun([readFix], [`${FIX}exit_code.wasm`, "42"]),
        wasmrun([readFix], [`${FIX}trap.wasm`]),
        wasmrun(
          [`--allow-read=${FIX},${sandbox}`, `--deny-read=${sandbox}/secret`, `--allow-write=${sandbox}/out`],
          ["--dir", `${sandbox}::/sandbox`, `${FIX}perms.wasm`],
        ),
        wasmrun([readFix], ["--env", "HOME", `${FIX}args_env.wasm`]),
        wasmrun([readFix, "--allow-env=HOME"], ["--inherit-env", `${FIX}args_env.wasm`]),
        wasmrun([readFix], ["--env", "A=1", `${FIX}args_env.wasm`]),
        wasmrun([readFix], ["--dir", sandbox, `${FIX}args_env.wasm`]),
        wasmrun([`--allow-read=${sandbox}`], [`${FIX}args_env.wasm`]),
      ],
    );

    // stdin is a pipe: read to the end, not a terminal.
    assert.deepEqual(pipe, { code: 0, stdout: "PIPED IN\nLINE 2\n", stderr: "bytes=16 isatty=000\n" });
    assert.deepEqual(exit42, { code: 42, stdout: "exiting with 42\n", stderr: "" });
    assert.equal(trap.code, 134);
    assert.equal(trap.stdout, "before trap\n");
    assert.match(trap.stderr, /^Error: [^\n]*divide by zero\n/);

    // Only what Deno granted is reachable; every refusal is EACCES and the program carries on.
    assert.equal(
      perms.stdout,
      [
        "read in.txt: input line",
        "write out/new.txt: ok",
        "write denied.txt: Permission denied",
        "read secret/x: Permission denied",
        "mkdir newdir: Permission denied",
        "symlink: Permission denied", // Deno allows symlinks only with unscoped read+write
        "unlink in.txt: Permission denied",
        "entries in /sandbox: 5", // . .. in.txt out secret (listed by name, though unreadable)
        "",
      ].join("\n"),
    );
    assert.equal(perms.code, 0);
    // …and wasmrun says on stderr, once per path, what Deno refused and the flag that would allow it.
    const refused = (what: string) => `wasmrun: Deno refused ${what} (the program got EACCES)`;
    assert.equal(
      perms.stderr,
      [
        `${refused(`write access to ${sandbox}/denied.txt`)}; add --allow-write=${sandbox}/denied.txt`,
        `${refused(`read access to ${sandbox}/secret`)}: --deny-read covers it`,
        `${refused(`write access to ${sandbox}/newdir`)}; add --allow-write=${sandbox}/newdir`,
        `${refused(`to create a symlink at ${sandbox}/out/link`)}; ` +
        "symlinks need --allow-read and --allow-write without a path list",
        `${refused(`write access to ${sandbox}/in.txt`)}; add --allow-write=${sandbox}/in.txt`,
        "",
      ].join("\n"),
    );
    assert.equal(Deno.readTextFileSync(`${sandbox}/out/new.txt`), "written\n");
    assert.deepEqual([...Deno.readDirSync(sandbox)].map((e) => e.name).sort(), ["in.txt", "out", "secret"]);

    // Environment passthrough without the env permission: one line naming the flag to add.
    assert.deepEqual(envName, {
      code: 1,
      stdout: "",
      stderr:
        "wasmrun: --env HOME needs permission to read that variable: add --allow-env=HOME to deno's flags\n",
    });
    assert.deepEqual(envAll, {
      code: 1,
      stdout: "",
      stderr:
        "wasmrun: --inherit-env needs access to the whole environment: add --allow-env to deno's flags\n",
    });
    assert.match(envValue.stdout, /envc=1\nenv A=1 \(3 bytes\)\n$/); // a given value needs no permission

    assert.deepEqual(dirDenied, {
      code: 1,
      stdout: "",
      stderr: `wasmrun: --dir ${sandbox}: Deno has no read permission for it (add --allow-read=${sandbox})\n`,
    });
    assert.equal(moduleDenied.code, 1);
    assert.equal(
      moduleDenied.stderr,
      `wasmrun: cannot read ${FIX}args_env.wasm: Deno has no read permission for it (add --allow-read=${FIX}args_env.wasm)\n`,
    );
  } finally {
    Deno.removeSync(base, { recursive: true });
  }
});
