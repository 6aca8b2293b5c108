/**
 * wasmrun as a subprocess whose stdin and stdout the test drives step by step: for the tests of
 * stdio and poll_oneoff on the process's own streams (tests/wasi_stdio_test.ts, wasi_poll_test.ts).
 */
const CLI = new URL("../cli.ts", import.meta.url).pathname;

/** The lines a child prints, as they come: `next(text)` waits (up to 20 s) for a line that has it. */
export function lineReader(stream: ReadableStream<Uint8Array>) {
  const lines: string[] = [];
  let buffered = "";
  let done = false;
  let wake = () => {};
  (async () => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      lines.push(...parts);
      wake();
    }
    done = true;
    wake();
  })();
  let seen = 0;
  return {
    lines,
    async next(text: string): Promise<string> {
      const until = Date.now() + 20_000;
      for (;;) {
        while (seen < lines.length) {
          const line = lines[seen++];
          if (line.includes(text)) return line;
        }
        if (done || Date.now() > until) throw new Error(`no line with ${JSON.stringify(text)} in ${lines}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

/** What a feed step can do: write to the child's stdin, wait for a line of its stdout, close stdin. */
export interface Feed {
  write(s: string): Promise<void>;
  next(text: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Runs `deno run <permissions> cli.ts <wasmrun flags and module> <args>` with stdin and stdout piped,
 * and `feed` talking to it; returns the exit status, every stdout line and stderr.
 */
export async function runPiped(
  permissions: string[],
  module: string | string[],
  args: string[],
  feed: (io: Feed) => Promise<void>,
): Promise<{ code: number; lines: string[]; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--quiet", ...permissions, CLI, ...[module].flat(), ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = lineReader(child.stdout);
  const errText = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  await feed({
    write: (s) => writer.write(new TextEncoder().encode(s)),
    next: (t) => out.next(t),
    close: () => writer.close(),
  });
  const { code } = await child.status;
  return { code, lines: out.lines, stderr: await errText };
}
