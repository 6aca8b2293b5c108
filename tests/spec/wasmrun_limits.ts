/**
 * What wasmrun's JS tier cannot promise, because of the host; shared by the JSON and `.wast` spec tests.
 *
 * Its f64 values are JS numbers, and V8's Maglev tier quiets a signalling NaN whenever optimised code
 * stores one (into a Float64Array or a DataView; ECMAScript allows any NaN encoding there): so once V8 has
 * optimised a function, a signalling-NaN payload may come out quieted. These `f64.copysign` assertions
 * share their function with other modules of the suite (the same source: V8 compiles it once), so it is
 * hot by then; whether Maglev has finished with it depends on V8's background compiler, hence counted as
 * deviations either way. The interpreter (`jit: false`) keeps every bit. Lines of the Wasm 2.0 suite
 * (the same in wasm-2.0/float_misc.wast and its wast2json output).
 */
export const JS_TIER_LIMITS: ReadonlyMap<string, string> = new Map(
  [650, 651, 652, 653].map((line) => [`float_misc:${line}`, "V8 Maglev quiets a stored signalling NaN"]),
);

/**
 * Where our parser follows the Wasm 3.0 text format, which the 2.0 suite predates: 3.0 made limits and
 * memory offsets 64-bit numbers in the text (for memory64 and table64), so a 32-bit memory's offset of
 * 2^32 and limits of 2^32 or more are well-formed text since then, and refused by validation instead.
 * The 2.0 suite expects them malformed; the 3.0 suite expects them invalid, and they are (our engine
 * and V8 refuse them as invalid modules). Lines of the Wasm 2.0 suite.
 */
export const TEXT_FORMAT_3_0: ReadonlyMap<string, string> = new Map(
  [
    "address:213",
    "memory:79",
    "memory:83",
    "memory:87",
    "simd_address:143",
    "simd_address:151",
    "table:27",
    "table:31",
    "table:35",
  ].map((
    key,
  ) => [key, "well-formed text since Wasm 3.0 (64-bit limits and offsets): invalid, not malformed"]),
);
