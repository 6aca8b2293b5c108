/**
 * Runs one configuration of tests/spec/wast_configs.ts (by its index) and prints its result as JSON on
 * stdout, for tests/spec_wast_test.ts, which runs each in a process of its own.
 *
 *   deno run -A tests/spec/wast_child.ts INDEX
 */
import { CONFIGS, runConfig } from "./wast_configs.ts";

const config = CONFIGS[Number(Deno.args[0])];
if (!config) {
  console.error(`usage: wast_child.ts INDEX (0 to ${CONFIGS.length - 1})`);
  Deno.exit(2);
}
const result = await runConfig(config);
await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(result)));
