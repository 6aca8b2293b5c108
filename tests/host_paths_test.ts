/**
 * The runtime's path helpers (src/host/paths.ts) give what node:path and node:url give for the paths
 * it makes (a directory and plain names), and the engine and command line load no Node module
 * before a guest runs (importing one first loads Deno's Node layer: tens of ms of every start-up).
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { joinPath, parentPath, pathOfFileUrl } from "../src/host/paths.ts";

Deno.test("joinPath, parentPath and pathOfFileUrl agree with node:path and node:url", () => {
  const joins: [string, ...string[]][] = [["/", "a"], ["/a", "b"], ["/a/", "b"], ["/a/b", "c", "d"], [
    "rel",
    "x",
  ]];
  for (const [dir, ...names] of joins) assert.equal(joinPath(dir, ...names), join(dir, ...names));
  for (const path of ["/", "/a", "/a/b", "/a/b/c", "/a b/ç", "name"]) {
    assert.equal(parentPath(path), dirname(path));
  }
  for (const url of ["file:///a/b%20c/d.ts", "file:///work/src/", "file:///%C3%A7/x"]) {
    assert.equal(pathOfFileUrl(new URL(url)), fileURLToPath(url));
  }
});

Deno.test("mod.ts and cli.ts import no Node module statically (only node:vm, when a cache file is read)", () => {
  const found: string[] = [];
  for (const entry of ["../mod.ts", "../cli.ts"]) {
    const out = new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", new URL(entry, import.meta.url).pathname],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    assert.ok(out.success, `deno info ${entry}`);
    const graph = JSON.parse(new TextDecoder().decode(out.stdout));
    for (const module of graph.modules) {
      for (const dep of module.dependencies ?? []) {
        if (dep.specifier.startsWith("node:") && dep.code && !dep.isDynamic) {
          found.push(`${module.specifier} imports ${dep.specifier}`);
        }
      }
    }
  }
  assert.deepEqual(found, []);
});
