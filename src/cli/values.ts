/**
 * --invoke arguments and results: text ↔ wasm values by the function's own signature. Integers
 * in decimal or 0x hex (either sign convention), floats as numbers or nan/inf/-inf/-0.
 */
import { ValType, valTypeName } from "../wasm/types.ts";
import { CliFailure } from "./failure.ts";

const INT = /^[+-]?(0x[0-9a-f]+|[0-9]+)$/i;

function parseInteger(text: string, bits: 32 | 64): bigint | undefined {
  const s = text.replaceAll("_", "");
  if (!INT.test(s)) return undefined;
  const negative = s.startsWith("-");
  const digits = s.replace(/^[+-]/, "");
  const magnitude = BigInt(digits);
  const value = negative ? -magnitude : magnitude;
  // Accept the signed and the unsigned reading: -1 and 0xffffffff are the same i32.
  const min = -(1n << BigInt(bits - 1)), max = (1n << BigInt(bits)) - 1n;
  if (value < min || value > max) return undefined;
  return BigInt.asIntN(bits, value);
}

function parseFloating(text: string, f32: boolean): number | undefined {
  const s = text.toLowerCase();
  if (s === "nan" || s === "+nan" || s === "-nan") return NaN;
  if (s === "inf" || s === "+inf" || s === "infinity" || s === "+infinity") return Infinity;
  if (s === "-inf" || s === "-infinity") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s) && !/^[+-]?0x[0-9a-f]+$/.test(s)) return undefined;
  // The sign apart: Number() reads "0x10" but not "-0x10".
  const magnitude = Number(s.replace(/^[+-]/, ""));
  const n = s.startsWith("-") ? -magnitude : magnitude;
  return f32 ? Math.fround(n) : n;
}

/** Parses one argument for a parameter of type `type`; a clear error otherwise. */
export function parseValue(text: string, type: ValType, position: number): unknown {
  let value: unknown;
  switch (type) {
    case ValType.I32: {
      const v = parseInteger(text, 32);
      value = v === undefined ? undefined : Number(v);
      break;
    }
    case ValType.I64:
      value = parseInteger(text, 64);
      break;
    case ValType.F32:
      value = parseFloating(text, true);
      break;
    case ValType.F64:
      value = parseFloating(text, false);
      break;
    case ValType.FuncRef:
    case ValType.ExternRef:
      value = text === "null" ? null : undefined;
      break;
    default:
      throw new CliFailure(
        `argument ${position}: cannot pass a ${valTypeName(type)} from the command line`,
        2,
      );
  }
  if (value === undefined) {
    throw new CliFailure(
      `argument ${position}: ${JSON.stringify(text)} is not a valid ${valTypeName(type)}`,
      2,
    );
  }
  return value;
}

/** The shortest decimal that reads back as the same f32 (9 significant digits always do). */
function formatF32(x: number): string {
  for (let p = 1; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(Number(x.toPrecision(9)));
}

export function formatValue(value: unknown, type: ValType): string {
  if (type === ValType.F32 || type === ValType.F64) {
    const x = value as number;
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    if (Object.is(x, -0)) return "-0";
    return type === ValType.F32 ? formatF32(x) : String(x);
  }
  if (type === ValType.FuncRef || type === ValType.ExternRef) {
    if (value === null) return "null";
    return type === ValType.FuncRef ? "<funcref>" : `<externref ${String(value)}>`;
  }
  return String(value);
}
