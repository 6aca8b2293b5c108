/**
 * The values of the resource-limit flags: `--fuel N`, `--timeout DURATION`, `--max-memory SIZE`,
 * `--max-stack N`. Each parser throws a UsageError naming the flag and the expected form.
 */
import { UsageError } from "./failure.ts";
import { MAX_PAGES, PAGE_SIZE } from "../wasm/types.ts";

/** A positive integer: digits, optionally grouped with `_` (`10_000_000`). */
export function parseCount(option: string, text: string, allow: { zero?: boolean } = {}): number {
  const n = /^[0-9][0-9_]*$/.test(text) ? Number(text.replaceAll("_", "")) : NaN;
  if (!Number.isSafeInteger(n) || n < (allow.zero ? 0 : 1)) {
    const what = allow.zero ? "a non-negative integer" : "a positive integer";
    throw new UsageError(`${option} ${JSON.stringify(text)}: expected ${what}`);
  }
  return n;
}

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `10s`, `1.5s`, `2m`, `1h`, returned in milliseconds. A unit is required. */
export function parseDuration(option: string, text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/.exec(text);
  const ms = m ? Number(m[1]) * TIME_UNITS[m[2]] : NaN;
  if (!(ms >= 1) || !Number.isFinite(ms)) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)}: expected a duration of at least 1ms, such as 500ms, 10s or 2m`,
    );
  }
  return Math.round(ms);
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/**
 * A memory size (`65536`, `640KiB`, `64MiB`, `1GiB`; KB/MB/GB are powers of 1000, K/M/G of 1024)
 * as whole 64 KiB pages, rounded down and capped at 65,536 (4 GiB).
 */
export function parseMemoryPages(option: string, text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)$/.exec(text);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)}: expected a size in bytes or with a unit, such as 64MiB or 1GiB`,
    );
  }
  return Math.min(MAX_PAGES, Math.floor((Number(m[1]) * unit) / PAGE_SIZE));
}
