/**
 * Errors of both engines sorted into comparable kinds. Trap messages differ between engines
 * ("integer divide by zero" here, "divide by zero" in V8), so each is mapped to a category; a
 * message neither table knows is kept verbatim, so a new trap shows up as a mismatch to look at.
 */

export type ErrorKind = string;

const TRAP_CATEGORIES: [RegExp, string][] = [
  [/fuel exhausted/, "fuel"],
  [/timeout/, "timeout"],
  [/unreachable/, "unreachable"],
  [/divide by zero|remainder by zero/, "div-zero"],
  // V8 says "float unrepresentable in integer range" both for a NaN ("invalid conversion to
  // integer") and for a value out of range ("integer overflow"): one category for all three.
  [
    /integer overflow|divide result unrepresentable|invalid conversion to integer|float unrepresentable/,
    "int-range",
  ],
  [/(memory|data segment).*out of bounds|out of bounds memory/, "oob-memory"],
  [
    /undefined element|table index is out of bounds|out of bounds table|(table|element segment).*out of bounds/,
    "oob-table",
  ],
  // V8 reports a null entry and a signature mismatch with one message.
  [/indirect call type mismatch|uninitialized element|null function|signature mismatch/, "indirect-call"],
  [/call stack exhausted|[Mm]aximum call stack/, "stack"],
  // ref.as_non_null (and other typed-reference instructions) on a null.
  // GC's struct and array instructions on a null (our message names which), as V8's does not.
  [/null (structure |array |i31 )?reference|dereferencing a null pointer/, "null-ref"],
  // throw_ref of a null exnref.
  [/null exception reference|rethrowing null value/, "null-exnref"],
  // GC: ref.cast (and the js-string builtins' checks) on a value of another type; an array index past
  // the end (array.get/set/fill/copy/init).
  [/illegal cast|cast fail/, "cast"],
  [/array.*out of bounds|out of bounds array/, "oob-array"],
];

function messageOf(err: unknown): string {
  const message = (err as { message?: unknown })?.message;
  return typeof message === "string" ? message : String(err);
}

/** `trap:<category>`, `CompileError`, `LinkError`, or `<Name>:<message>` for anything else. */
export function describeError(err: unknown): ErrorKind {
  const name = (err as { name?: unknown })?.name;
  const message = messageOf(err);
  if (name === "CompileError" || name === "LinkError") return name;
  if (name === "RuntimeError" || (name === "RangeError" && /call stack/.test(message))) {
    const hit = TRAP_CATEGORIES.find(([re]) => re.test(message));
    return `trap:${hit ? hit[1] : message}`;
  }
  // A value JS cannot take or give (v128, exnref, a BigInt from null) is a TypeError on both
  // engines, worded differently: the kind is what is compared.
  if (name === "TypeError") return "TypeError";
  // So is a JS API call out of range (Table.get past the end in binaryen's table-get import).
  if (name === "RangeError") return "RangeError";
  return `${typeof name === "string" ? name : "throw"}:${message.split("\n")[0]}`;
}
