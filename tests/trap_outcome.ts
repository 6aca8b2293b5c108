/** Test helper: what a call that must trap leaves behind, to compare across tiers. */
import assert from "node:assert/strict";
import { fuelConsumed } from "../mod.ts";
import type { Instance } from "../src/api/instance.ts";

type Fn = (...args: unknown[]) => unknown;

/** Calls `call` with `instance`'s exports: the trap's message and wasm frames, and the fuel spent. */
export function trapOutcome(instance: Instance, call: (e: Record<string, Fn>) => unknown) {
  try {
    call(instance.exports as Record<string, Fn>);
  } catch (err) {
    const frames = (err as { wasmFrames?: unknown[] }).wasmFrames;
    return { message: (err as Error).message, frames, fuel: fuelConsumed(instance) };
  }
  assert.fail("no trap");
}
