/**
 * The JS tier declares a scratch variable (`t`, `ea`, `cf`, `m0` … `m4`, and `s2`) only where a function's code
 * names it (jit/compile.ts `scratchNamed`): one scan of the code must find exactly the names that a
 * whole-word search for each would, wherever they stand and in whatever order.
 */
import assert from "node:assert/strict";
import { scratchNamed } from "../src/jit/compile.ts";

const ALL = ["t", "ea", "cf", "m0", "m1", "m2", "m3", "m4", "s2"];

/** What a separate whole-word search per name finds (the rule the one scan must keep). */
function eachSearched(texts: string[]): string[] {
  return ALL.filter((name) => texts.some((text) => new RegExp(`\\b${name}\\b`).test(text)));
}

Deno.test("scratch variables: one scan finds what a search per name finds", () => {
  const cases: string[][] = [
    [""],
    ["i0 = l0;"],
    ["t = (x0 + x1) | 0;"],
    ["m4 = 1; m0 = 2; t = 3;"], // found out of order
    ["x = m10 + tm + eat + cf2;"], // longer words that merely start with a name
    ['a.t = 1; b["ea"] = 2;'], // \b counts a property name as a word, as the per-name search did
    ["m1", "m2 = 0;"], // the prologue and the body: a name in either counts
    ["t t t t m0 t t t m3 t"],
    ["$wI32[s2 + 4] = i0;", "ms2 = s22;"], // the frame's doubled slot (direct code may not need it)
    [ALL.join(" ")],
    [ALL.slice().reverse().join("; ")],
  ];
  for (const texts of cases) {
    assert.deepEqual([...scratchNamed(texts)].sort(), eachSearched(texts).sort(), JSON.stringify(texts));
  }
});
