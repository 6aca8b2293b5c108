/**
 * Exact text for float bit patterns: the shortest decimal that reads back to the same bits, `inf`, and
 * NaNs with their payload (`nan` is the canonical one, `nan:0x…` any other).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new Uint32Array(f64.buffer); // little-endian halves: [lo, hi]

function f32Of(bits: number): number {
  u32[0] = bits;
  return f32[0];
}

/** The text of an f32 given as its 32-bit pattern. */
export function f32Text(bits: number): string {
  const sign = bits >>> 31 ? "-" : "";
  const exponent = (bits >>> 23) & 0xff;
  const payload = bits & 0x7fffff;
  if (exponent === 0xff) {
    if (payload === 0) return `${sign}inf`;
    return payload === 0x400000 ? `${sign}nan` : `${sign}nan:0x${payload.toString(16)}`;
  }
  const value = f32Of(bits);
  if (value === 0) return `${sign}0`;
  // The neighbours' midpoints are exact doubles: a decimal whose double lands exactly on one could
  // round to the wrong f32 when read straight to f32, so such digits are not taken.
  const magnitude = Math.abs(value);
  const below = f32Of((bits & 0x7fffffff) - 1 >>> 0);
  const above = f32Of((bits & 0x7fffffff) + 1 >>> 0);
  const low = (magnitude + (payload === 0 && exponent === 0 ? magnitude : below)) / 2;
  const high = (magnitude + above) / 2;
  for (let digits = 1; digits <= 9; digits++) {
    const text = decimal(magnitude, digits);
    const read = Number(text);
    if (Math.fround(read) === magnitude && read !== low && read !== high) return sign + text;
  }
  return sign + decimal(magnitude, 17); // unreachable: 9 digits always round-trip an f32
}

/** The text of an f64 given as its [lo, hi] 32-bit halves. */
export function f64Text([lo, hi]: [number, number]): string {
  const sign = hi >>> 31 ? "-" : "";
  const exponent = (hi >>> 20) & 0x7ff;
  const payloadHigh = hi & 0xfffff;
  if (exponent === 0x7ff) {
    if (payloadHigh === 0 && lo === 0) return `${sign}inf`;
    if (payloadHigh === 0x80000 && lo === 0) return `${sign}nan`;
    const payload = (BigInt(payloadHigh) << 32n) | BigInt(lo >>> 0);
    return `${sign}nan:0x${payload.toString(16)}`;
  }
  u64[0] = lo;
  u64[1] = hi & 0x7fffffff;
  // JS prints the shortest decimal that reads back to the same double.
  return sign + String(f64[0]);
}

/** `value` with `digits` significant digits, in the shortest of plain and exponent notation. */
function decimal(value: number, digits: number): string {
  return String(Number(value.toPrecision(digits)));
}
