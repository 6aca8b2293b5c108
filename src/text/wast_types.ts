/**
 * The commands of a `.wast` spec script, as `parseWast` returns them: the JSON shape of wabt's
 * `wast2json` and wasm-tools' `json-from-wast` (so the spec runner reads one model), except that
 * modules carry their bytes (or quoted text) inline instead of naming files. Values are the JSON's:
 * numbers as unsigned decimal bit patterns in strings.
 */

/** Where a command starts in the script (1-based), for reports as `file:line`. */
export interface WastPosition {
  /** The command's line, from 1. */
  line: number;
  /** Its column, from 1. */
  column: number;
}

/**
 * A module as the script gives it: text modules are already encoded by our parser (`binary`); a
 * `(module binary …)` is its bytes as written (`binary`, possibly malformed on purpose); a
 * `(module quote …)` is the concatenated text, parsed only when the command runs (`quote`), since
 * `assert_malformed` expects that parse to fail.
 */
export type WastModuleSource =
  | { kind: "binary"; bytes: Uint8Array<ArrayBuffer> }
  | { kind: "quote"; text: string };

/** One typed value: an argument, or an exact expected result. */
export interface WastValue {
  /**
   * `i32`, `i64`, `f32`, `f64`, `v128`, or a reference type as json-from-wast spells it:
   * `externref`, `funcref`, `anyref`, `eqref`, `i31ref`, `structref`, `arrayref`, `exnref`,
   * `nullref`, `nullfuncref`, `nullexternref`, `nullexnref`, `refnull` (a `ref.null` whose heap type is a
   * type index).
   */
  type: string;
  /**
   * Scalars: unsigned decimal bits, or `nan:canonical` / `nan:arithmetic` in expectations. v128: one
   * string per lane (each may be a NaN pattern in expectations). References: `null`, a host reference's
   * number (`ref.extern N`, `ref.host N`), or absent for "any non-null reference of this type"
   * (`(ref.extern)`, `(ref.func)`, `(ref.struct)`, `(ref.array)`, `(ref.i31)`, `(ref.eq)`, `(ref.any)`).
   */
  value?: string | string[];
  /** v128 only: `i8`, `i16`, `i32`, `i64`, `f32` or `f64`. */
  lane_type?: string;
}

/** An expected result: one value, or `(either …)` — any of several. */
export type WastExpected = WastValue | { type: "either"; values: WastValue[] };

/** An `(invoke …)` or `(get …)`; `module` names an instance (`$name`), else the current one. */
export interface WastAction {
  /** Call an exported function, or read an exported global. */
  type: "invoke" | "get";
  /** The instance (`$name`), when not the current one. */
  module?: string;
  /** The export's name. */
  field: string;
  /** The arguments of an `invoke` (none for `get`). */
  args: WastValue[];
}

/** One command of a script, with where it starts. */
export type WastCommand =
  & WastPosition
  & (
    /** `(module $name? …)`: compile and instantiate; `definition` only compiles (`(module definition …)`). */
    | { type: "module"; name?: string; definition?: boolean; module: WastModuleSource }
    /** `(module instance $inst? $def?)`: instantiate a module defined earlier. */
    | { type: "module_instance"; instance?: string; module?: string }
    /** `(register "as" $name?)`. */
    | { type: "register"; as: string; name?: string }
    /** A bare action. */
    | { type: "action"; action: WastAction }
    | { type: "assert_return"; action: WastAction; expected: WastExpected[] }
    | { type: "assert_trap"; action: WastAction; text: string }
    /** `(assert_trap (module …) "text")`: instantiation traps (wast2json's assert_uninstantiable). */
    | { type: "assert_uninstantiable"; module: WastModuleSource; text: string }
    | { type: "assert_exhaustion"; action: WastAction; text: string }
    /** The action throws a wasm exception (an uncaught tag). */
    | { type: "assert_exception"; action: WastAction }
    | { type: "assert_invalid"; module: WastModuleSource; text: string }
    | { type: "assert_malformed"; module: WastModuleSource; text: string }
    | { type: "assert_unlinkable"; module: WastModuleSource; text: string }
  );
