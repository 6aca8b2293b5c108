/**
 * What wasmrun's JS tier cannot promise, because of the host; shared by the JSON and `.wast` spec tests.
 *
 * Its f64 values are JS numbers, and V8's Maglev tier quiets a signalling NaN whenever optimised code
 * stores one (into a Float64Array or a DataView; ECMAScript allows any NaN encoding there): so once V8 has
 * optimised a function, a signalling-NaN payload may come out quieted. These `f64.copysign` assertions
 * share their function with other modules of the suite (the same source: V8 compiles it once), so it is
 * hot by then; whether Maglev has finished with it depends on V8's background compiler, hence counted as
 * deviations either way. The interpreter (`jit: false`) keeps every bit. Lines of the Wasm 2.0 suite
 * (the same in wasm-2.0/float_misc.wast, its wast2json output and wasm-3.0/float_misc.wast).
 */
export const JS_TIER_LIMITS: ReadonlyMap<string, string> = new Map(
  [650, 651, 652, 653].map((line) => [`float_misc:${line}`, "V8 Maglev quiets a stored signalling NaN"]),
);
