/**
 * The abstract heap types and the short name of their nullable reference type (`func` → `funcref`):
 * what the printer writes for `(ref null func)` and spec scripts name `(ref.null func)` values by.
 */
export const REF_SHORTHANDS: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  func: "funcref",
  extern: "externref",
  any: "anyref",
  eq: "eqref",
  i31: "i31ref",
  struct: "structref",
  array: "arrayref",
  exn: "exnref",
  none: "nullref",
  nofunc: "nullfuncref",
  noextern: "nullexternref",
  noexn: "nullexnref",
}); // no prototype: a lookup of `toString` (a keyword in a script) finds nothing
