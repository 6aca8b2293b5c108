/**
 * The JS tier's numeric instructions: i32, i64 (on two int32 halves), f32 and f64 arithmetic,
 * comparisons and conversions, each emitted as a line of JS over the stack variables.
 */
import { ValType } from "../wasm/types.ts";
import type { Compiler } from "./compile.ts";
import { f32Bits, f32FromBits, RT } from "./names.ts";
import { Op as Opcode } from "../wasm/opcodes.ts";
function unaryI32(c: Compiler, expr: (a: string) => string): void {
  const a = c.v(c.h - 1);
  c.emit(`${a} = ${expr(a)};`);
}

/** An i32 operation on the top two values (which may be virtual), its result in place of the first. */
function binaryI32(c: Compiler, expr: (a: string, b: string) => string): void {
  const b = c.read(c.pop());
  const k = c.h - 1;
  const a = c.read(k);
  c.emit(`${c.dest(k)} = ${expr(a, b)};`);
}

/** Whether operand expression `e` is an integer literal (a constant): checks on it are decided now. */
function isInt(e: string): boolean {
  return /^-?\d+$/.test(e);
}

/** The trap of an integer division by a zero `b`, and nothing when `b` is a constant other than zero. */
function nonZero(b: string, at: number): string {
  return isInt(b) && +b !== 0 ? "" : `${b} === 0 ? ${RT.E}.trapAt(${at}, "integer divide by zero") : `;
}

/** `b` as unsigned, folded for a constant. */
function unsigned(b: string): string {
  return isInt(b) ? String(+b >>> 0) : `(${b} >>> 0)`;
}

/** Pops two values of the same type and pushes the i32 result of comparing them. */
function compare(c: Compiler, expr: (a: number, b: number) => string): void {
  const b = c.pop();
  const a = c.pop();
  c.emitCompare(expr(a, b));
}

/** The expressions of an i64's two halves. */
interface Halves {
  lo: string;
  hi: string;
}

/** The halves of the i64 at depth `k`, which may be virtual. */
function halves(c: Compiler, k: number): Halves {
  return { lo: c.read(k), hi: c.readHi(k) };
}

/** Pops two i64 values (maybe virtual) and pushes the i32 result of comparing them. */
function compare64(c: Compiler, expr: (a: Halves, b: Halves) => string): void {
  const b = halves(c, c.pop());
  const a = halves(c, c.pop());
  c.emitCompare(expr(a, b));
}

/** The same for operands that may be virtual: `expr` gets their expressions. */
function compareRead(c: Compiler, expr: (a: string, b: string) => string): void {
  const b = c.read(c.pop());
  const a = c.read(c.pop());
  c.emitCompare(expr(a, b));
}

export function numeric(c: Compiler, op: number): void {
  const at = c.site;
  switch (op) {
    case Opcode.I32Eqz:
      if (c.freshCompare(c.h - 1)) return c.negateCompare();
      return c.emitCompare(`${c.read(c.pop())} === 0`);
    case Opcode.I32Eq:
      return compareRead(c, (a, b) => `${a} === ${b}`);
    case Opcode.I32Ne:
      return compareRead(c, (a, b) => `${a} !== ${b}`);
    case Opcode.I32LtS:
      return compareRead(c, (a, b) => `${a} < ${b}`);
    case Opcode.I32LtU:
      return compareRead(c, (a, b) => `(${a} >>> 0) < (${b} >>> 0)`);
    case Opcode.I32GtS:
      return compareRead(c, (a, b) => `${a} > ${b}`);
    case Opcode.I32GtU:
      return compareRead(c, (a, b) => `(${a} >>> 0) > (${b} >>> 0)`);
    case Opcode.I32LeS:
      return compareRead(c, (a, b) => `${a} <= ${b}`);
    case Opcode.I32LeU:
      return compareRead(c, (a, b) => `(${a} >>> 0) <= (${b} >>> 0)`);
    case Opcode.I32GeS:
      return compareRead(c, (a, b) => `${a} >= ${b}`);
    case Opcode.I32GeU:
      return compareRead(c, (a, b) => `(${a} >>> 0) >= (${b} >>> 0)`);
    case Opcode.I64Eqz: {
      const a = c.pop();
      return c.emitCompare(`(${c.read(a)} | ${c.readHi(a)}) === 0`);
    }
    case Opcode.I64Eq:
      return compare64(c, (a, b) => `${a.lo} === ${b.lo} && ${a.hi} === ${b.hi}`);
    case Opcode.I64Ne:
      return compare64(c, (a, b) => `${a.lo} !== ${b.lo} || ${a.hi} !== ${b.hi}`);
    case Opcode.I64LtS:
      return compare64(c, (a, b) => ltS(a, b));
    case Opcode.I64LtU:
      return compare64(c, (a, b) => ltU(a, b));
    case Opcode.I64GtS:
      return compare64(c, (a, b) => ltS(b, a));
    case Opcode.I64GtU:
      return compare64(c, (a, b) => ltU(b, a));
    case Opcode.I64LeS:
      return compare64(c, (a, b) => `!(${ltS(b, a)})`);
    case Opcode.I64LeU:
      return compare64(c, (a, b) => `!(${ltU(b, a)})`);
    case Opcode.I64GeS:
      return compare64(c, (a, b) => `!(${ltS(a, b)})`);
    case Opcode.I64GeU:
      return compare64(c, (a, b) => `!(${ltU(a, b)})`);
    case Opcode.F32Eq:
      return compare(c, (a, b) => `f${a} === f${b}`);
    case Opcode.F32Ne:
      return compare(c, (a, b) => `f${a} !== f${b}`);
    case Opcode.F32Lt:
      return compare(c, (a, b) => `f${a} < f${b}`);
    case Opcode.F32Gt:
      return compare(c, (a, b) => `f${a} > f${b}`);
    case Opcode.F32Le:
      return compare(c, (a, b) => `f${a} <= f${b}`);
    case Opcode.F32Ge:
      return compare(c, (a, b) => `f${a} >= f${b}`);
    case Opcode.F64Eq:
      return compareRead(c, (a, b) => `${a} === ${b}`);
    case Opcode.F64Ne:
      return compareRead(c, (a, b) => `${a} !== ${b}`);
    case Opcode.F64Lt:
      return compareRead(c, (a, b) => `${a} < ${b}`);
    case Opcode.F64Gt:
      return compareRead(c, (a, b) => `${a} > ${b}`);
    case Opcode.F64Le:
      return compareRead(c, (a, b) => `${a} <= ${b}`);
    case Opcode.F64Ge:
      return compareRead(c, (a, b) => `${a} >= ${b}`);
    case Opcode.I32Clz:
      return unaryI32(c, (a) => `Math.clz32(${a})`);
    case Opcode.I32Ctz:
      return unaryI32(c, (a) => `${RT.E}.ctz32(${a})`);
    case Opcode.I32Popcnt:
      return unaryI32(c, (a) => `${RT.E}.popcnt32(${a})`);
    case Opcode.I32Add:
      return binaryI32(c, (a, b) => `(${a} + ${b}) | 0`);
    case Opcode.I32Sub:
      return binaryI32(c, (a, b) => `(${a} - ${b}) | 0`);
    case Opcode.I32Mul:
      return binaryI32(c, (a, b) => `Math.imul(${a}, ${b})`);
    case Opcode.I32DivS:
      return binaryI32(c, (a, b) =>
        `${nonZero(b, at)}` +
        (isInt(b) && +b !== -1
          ? ""
          : `${a} === -2147483648 && ${b} === -1 ? ${RT.E}.trapAt(${at}, "integer overflow") : `) +
        `(${a} / ${b}) | 0`);
    case Opcode.I32DivU:
      return binaryI32(c, (a, b) => `${nonZero(b, at)}((${a} >>> 0) / ${unsigned(b)}) | 0`);
    case Opcode.I32RemS:
      return binaryI32(c, (a, b) => `${nonZero(b, at)}(${a} % ${b}) | 0`);
    case Opcode.I32RemU:
      return binaryI32(c, (a, b) => `${nonZero(b, at)}((${a} >>> 0) % ${unsigned(b)}) | 0`);
    case Opcode.I32And:
      // A comparison's 0 or 1 masked with 1 (C's bool, unoptimized) is itself: the branch on it
      // can still test the comparison.
      if (c.read(c.h - 1) === "1" && c.freshCompare(c.h - 2)) return void c.pop();
      return binaryI32(c, (a, b) => `${a} & ${b}`);
    case Opcode.I32Or:
      return binaryI32(c, (a, b) => `${a} | ${b}`);
    case Opcode.I32Xor:
      return binaryI32(c, (a, b) => `${a} ^ ${b}`);
    case Opcode.I32Shl:
      return binaryI32(c, (a, b) => `${a} << ${b}`);
    case Opcode.I32ShrS:
      return binaryI32(c, (a, b) => `${a} >> ${b}`);
    case Opcode.I32ShrU:
      return binaryI32(c, (a, b) => `(${a} >>> ${b}) | 0`);
    case Opcode.I32Rotl:
      return binaryI32(c, (a, b) => `(${a} << ${b}) | (${a} >>> (32 - ${b}))`);
    case Opcode.I32Rotr:
      return binaryI32(c, (a, b) => `(${a} >>> ${b}) | (${a} << (32 - ${b}))`);
  }
  if (op >= Opcode.I64Clz && op <= Opcode.I64Rotr) return i64(c, op);
  if (op >= Opcode.F32Abs && op <= Opcode.F32Copysign) return f32(c, op);
  if (op >= Opcode.F64Abs && op <= Opcode.F64Copysign) return f64(c, op);
  conversion(c, op);
}

function i64(c: Compiler, op: number): void {
  if (op <= Opcode.I64Popcnt) {
    const a = c.h - 1;
    const x = `x${a}`, y = `y${a}`;
    switch (op) {
      case Opcode.I64Clz:
        return c.emit(`${x} = ${y} !== 0 ? Math.clz32(${y}) : 32 + Math.clz32(${x}); ${y} = 0;`);
      case Opcode.I64Ctz:
        return c.emit(`${x} = ${x} !== 0 ? ${RT.E}.ctz32(${x}) : 32 + ${RT.E}.ctz32(${y}); ${y} = 0;`);
      default:
        return c.emit(`${x} = ${RT.E}.popcnt32(${x}) + ${RT.E}.popcnt32(${y}); ${y} = 0;`);
    }
  }
  const b = c.h - 1, a = c.h - 2;
  // The operands may be virtual (a local, a constant), except for shifts by a variable amount, which
  // work on `a`'s own variables; the result goes into them.
  if (op >= Opcode.I64Shl && c.known[b] === null) c.materialize(a);
  const { lo: al, hi: ah } = halves(c, a), { lo: bl, hi: bh } = halves(c, b);
  const dl = `x${a}`, dh = `y${a}`;
  switch (op) {
    // The carry (borrow) from unsigned 32-bit comparisons: integer operations throughout, where sums of
    // unsigned halves were doubles to V8 (hash64 6-8 % faster).
    case Opcode.I64Add:
      c.pop(), c.dest(a);
      return c.emit(
        `t = (${al} + ${bl}) | 0; ${dh} = (${ah} + ${bh} + ((t >>> 0) < (${al} >>> 0) ? 1 : 0)) | 0; ${dl} = t;`,
      );
    case Opcode.I64Sub:
      c.pop(), c.dest(a);
      return c.emit(
        `t = (${al} - ${bl}) | 0; ${dh} = (${ah} - ${bh} - ((${al} >>> 0) < (${bl} >>> 0) ? 1 : 0)) | 0; ${dl} = t;`,
      );
    case Opcode.I64Mul: {
      // Inline, from 16-bit partial products so every step is exact in a double (and stays in integer
      // ranges that V8's optimizer keeps as integers): m2 = a0·b0, m0 = a0·b1, t = a1·b0, and a1·b1.
      // A constant's zero 16-bit halves leave their partial products out, a zero high half its cross product.
      const known = c.known[b];
      c.pop(), c.dest(a);
      const cross = known?.[1] === 0 ? [] : [`Math.imul(${al}, ${bh})`];
      cross.push(`Math.imul(${ah}, ${bl})`);
      if (known?.[0] === 0) return c.emit(`${dh} = ${cross[0]}; ${dl} = 0;`);
      const [b0, b1] = known ? [known[0] & 0xffff, known[0] >>> 16] : ["m3", "m4"];
      let partial: string;
      if (b1 === 0) {
        partial =
          `m2 = m0 * ${b0}; t = m1 * ${b0}; m2 = (m2 >>> 16) + (t & 0xffff); m2 = (t >>> 16) + (m2 >>> 16);`;
      } else if (b0 === 0) partial = `m0 = m0 * ${b1}; m2 = m1 * ${b1} + (m0 >>> 16);`;
      else {
        partial = `m2 = m0 * ${b0}; m0 = m0 * ${b1}; t = m1 * ${b0}; ` +
          `m2 = (m2 >>> 16) + (m0 & 0xffff) + (t & 0xffff); m2 = m1 * ${b1} + (m0 >>> 16) + (t >>> 16) + (m2 >>> 16);`;
      }
      return c.emit(
        (known ? "" : `m3 = ${bl} & 0xffff; m4 = ${bl} >>> 16; `) +
          `m0 = ${al} & 0xffff; m1 = ${al} >>> 16; ${partial} ` +
          `${dh} = (m2 + ${cross.join(" + ")}) | 0; ${dl} = Math.imul(${al}, ${bl});`,
      );
    }
    case Opcode.I64And:
    case Opcode.I64Or:
    case Opcode.I64Xor: {
      c.pop(), c.dest(a);
      const o = op === Opcode.I64And ? "&" : op === Opcode.I64Or ? "|" : "^";
      return c.emit(`${dl} = ${al} ${o} ${bl}; ${dh} = ${ah} ${o} ${bh};`);
    }
    case Opcode.I64Shl:
    case Opcode.I64ShrS:
    case Opcode.I64ShrU:
    case Opcode.I64Rotl:
    case Opcode.I64Rotr: {
      const amount = c.known[b];
      c.pop();
      if (amount) return i64ShiftBy(c, op, a, amount[0]);
      return i64ShiftByVariable(c, op, dl, dh, bl);
    }
  }
  const divisor = c.known[b];
  c.pop(), c.dest(a);
  const helper = ["divS64", "divU64", "remS64", "remU64"][op - Opcode.I64DivS];
  const call = `${dl} = ${RT.E}.${helper}(${al}, ${ah}, ${bl}, ${bh}, ${c.site}); ${dh} = ${RT.HI}.v;`;
  if (op === Opcode.I64DivU || op === Opcode.I64RemU) {
    const rem = op === Opcode.I64RemU;
    // A divisor of 32 bits (the common case: C's size_t arithmetic, hashing) is divided inline; a
    // constant one needs no check, a zero one traps in the helper.
    if (divisor?.[1] === 0 && divisor[0] !== 0) {
      return c.emit(byWord(rem, al, ah, dl, dh, `${divisor[0] >>> 0}`));
    }
    if (divisor) return c.emit(call);
    return c.emit(
      `if (${bh} === 0 && ${bl} !== 0) { ${byWord(rem, al, ah, dl, dh, "m0", bl)} } else { ${call} }`,
    );
  }
  c.emit(call);
}

/**
 * Unsigned (al, ah) / n or % n for a non-zero 32-bit n (`divisor`, a literal or `m0` loaded from
 * `load`): long division in 16-bit digits, where every partial dividend stays below 2^48 and each
 * step is an exact double division (as `udiv64` does).
 */
function byWord(
  rem: boolean,
  al: string,
  ah: string,
  dl: string,
  dh: string,
  n: string,
  load?: string,
): string {
  const steps = (load === undefined ? "" : `${n} = ${load} >>> 0; `) +
    `t = (${ah} >>> 0) % ${n} * 65536 + (${al} >>> 16); m1 = Math.floor(t / ${n}); ` +
    `t = (t - m1 * ${n}) * 65536 + (${al} & 0xffff);`;
  if (rem) return `${steps} ${dl} = t % ${n}; ${dh} = 0;`;
  return `${steps} ${dh} = ((${ah} >>> 0) / ${n}) | 0; ${dl} = (m1 * 65536 + Math.floor(t / ${n})) | 0;`;
}

/** i64 shift or rotation by the constant `n`, on the value at depth `a`, without a helper call. */
function i64ShiftBy(c: Compiler, op: number, a: number, n: number): void {
  // The operand may be virtual: it is read as `lo`/`hi`, the result written to `x`/`y`. Each line
  // reads a half before writing it, and a half it reads after writing the other is that other's source.
  const { lo, hi } = halves(c, a);
  n &= 63;
  if (op === Opcode.I64Rotr) op = Opcode.I64Rotl, n = (64 - n) & 63;
  if (n === 0) return; // the value as it is (virtual or not)
  c.dest(a);
  const x = `x${a}`, y = `y${a}`;
  switch (op) {
    case Opcode.I64Shl:
      return c.emit(
        n < 32
          ? `${y} = (${hi} << ${n}) | (${lo} >>> ${32 - n}); ${x} = ${lo} << ${n};`
          : `${y} = ${lo} << ${n - 32}; ${x} = 0;`,
      );
    case Opcode.I64ShrS:
      return c.emit(
        n < 32
          ? `${x} = (${lo} >>> ${n}) | (${hi} << ${32 - n}); ${y} = ${hi} >> ${n};`
          : `${x} = ${hi} >> ${n - 32}; ${y} = ${hi} >> 31;`,
      );
    case Opcode.I64ShrU:
      return c.emit(
        n < 32
          ? `${x} = (${lo} >>> ${n}) | (${hi} << ${32 - n}); ${y} = (${hi} >>> ${n}) | 0;`
          : `${x} = (${hi} >>> ${n - 32}) | 0; ${y} = 0;`,
      );
  }
  // rotl: by 32 or more is a swap of the halves, then a rotation by the rest
  let [p, q] = [lo, hi];
  if (n >= 32) [p, q] = [hi, lo], n -= 32;
  if (n === 0) return c.emit(`t = ${lo}; ${x} = ${hi}; ${y} = t;`);
  c.emit(
    `t = ${p}; m0 = ${q}; ${x} = (t << ${n}) | (m0 >>> ${32 - n}); ${y} = (m0 << ${n}) | (t >>> ${32 - n});`,
  );
}

/**
 * i64 shift or rotation of (`x`, `y`) by the i32 in `amount` (only its low 6 bits count), inline:
 * `m0` holds the amount, `t` a saved half.
 */
function i64ShiftByVariable(c: Compiler, op: number, x: string, y: string, amount: string): void {
  const n = op === Opcode.I64Rotr ? `m0 = (64 - (${amount} & 63)) & 63;` : `m0 = ${amount} & 63;`;
  switch (op) {
    case Opcode.I64Shl:
      return c.emit(
        `${n} if (m0 >= 32) { ${y} = ${x} << (m0 - 32); ${x} = 0; } ` +
          `else if (m0 !== 0) { ${y} = (${y} << m0) | (${x} >>> (32 - m0)); ${x} = ${x} << m0; }`,
      );
    case Opcode.I64ShrS:
      return c.emit(
        `${n} if (m0 >= 32) { ${x} = ${y} >> (m0 - 32); ${y} = ${y} >> 31; } ` +
          `else if (m0 !== 0) { ${x} = (${x} >>> m0) | (${y} << (32 - m0)); ${y} = ${y} >> m0; }`,
      );
    case Opcode.I64ShrU:
      return c.emit(
        `${n} if (m0 >= 32) { ${x} = (${y} >>> (m0 - 32)) | 0; ${y} = 0; } ` +
          `else if (m0 !== 0) { ${x} = (${x} >>> m0) | (${y} << (32 - m0)); ${y} = (${y} >>> m0) | 0; }`,
      );
  }
  // Rotations, without branches (the amount is often data, and a mispredicted branch costs more than the
  // masks: hash64 6 % faster): m1 is all ones for an amount of 32 or more, which swaps the halves, and
  // `>>> 1 >>> (31 - r)` is a `>>> (32 - r)` that gives 0 for r = 0 (JS takes shift counts mod 32).
  c.emit(
    `${n} m1 = -(m0 >>> 5); t = (${x} & ~m1) | (${y} & m1); ${y} = (${y} & ~m1) | (${x} & m1); m0 &= 31; ` +
      `${x} = (t << m0) | (${y} >>> 1 >>> (31 - m0)); ${y} = (${y} << m0) | (t >>> 1 >>> (31 - m0));`,
  );
}

/** The JS of abs, neg, ceil, floor, trunc, nearest and sqrt, in opcode order (the same for f32 and f64). */
const FLOAT_UNARY = [
  "Math.abs",
  "-",
  `${RT.E}.ceil`,
  `${RT.E}.floor`,
  `${RT.E}.trunc`,
  `${RT.E}.nearest`,
  "Math.sqrt",
];

/** f32 values are numbers (see the module comment); every result is rounded with `Math.fround`. */
function f32(c: Compiler, op: number): void {
  if (op <= Opcode.F32Sqrt) {
    const a = `f${c.h - 1}`;
    const fn = FLOAT_UNARY[op - Opcode.F32Abs];
    // sqrt, last in the table, rounds to f32; the others give an f32 back for an f32 in.
    return c.emit(op === Opcode.F32Sqrt ? `${a} = Math.fround(Math.sqrt(${a}));` : `${a} = ${fn}(${a});`);
  }
  const b = `f${c.pop()}`, a = `f${c.h - 1}`;
  switch (op) {
    case Opcode.F32Add:
      return c.emit(`${a} = Math.fround(${a} + ${b});`);
    case Opcode.F32Sub:
      return c.emit(`${a} = Math.fround(${a} - ${b});`);
    case Opcode.F32Mul:
      return c.emit(`${a} = Math.fround(${a} * ${b});`);
    case Opcode.F32Div:
      return c.emit(`${a} = Math.fround(${a} / ${b});`);
    case Opcode.F32Min: // a NaN operand gives the canonical NaN (see ops_float.ts `minimum`)
      return c.emit(`${a} = ${a} !== ${a} || ${b} !== ${b} ? NaN : Math.fround(Math.min(${a}, ${b}));`);
    case Opcode.F32Max:
      return c.emit(`${a} = ${a} !== ${a} || ${b} !== ${b} ? NaN : Math.fround(Math.max(${a}, ${b}));`);
    default:
      return c.emit(`${a} = ${RT.E}.copysign64(${a}, ${b});`);
  }
}

function f64(c: Compiler, op: number): void {
  if (op <= Opcode.F64Sqrt) {
    const a = `d${c.h - 1}`;
    return c.emit(`${a} = ${FLOAT_UNARY[op - Opcode.F64Abs]}(${a});`);
  }
  // operands may be virtual (a local or a constant)
  const b = c.read(c.pop()), k = c.h - 1, a = c.read(k);
  // min and max: a NaN operand gives the canonical NaN (see ops_float.ts `minimum`)
  const value = op === Opcode.F64Min
    ? `(${a} !== ${a} || ${b} !== ${b} ? NaN : Math.min(${a}, ${b}))`
    : op === Opcode.F64Max
    ? `(${a} !== ${a} || ${b} !== ${b} ? NaN : Math.max(${a}, ${b}))`
    : op === Opcode.F64Copysign
    ? `${RT.E}.copysign64(${a}, ${b})`
    : `${a} ${["+", "-", "*", "/"][op - Opcode.F64Add]} ${b}`;
  c.emit(`${c.dest(k)} = ${value};`);
}

/** Replaces the top value by one of type `t` computed from it (`a`: the old variable). */
function retype(c: Compiler, t: ValType, code: (a: string, d: string, k: number) => string): void {
  const k = c.pop();
  const a = c.v(k);
  const d = c.v(c.push(t));
  c.emit(code(a, d, k));
}

function conversion(c: Compiler, op: number): void {
  switch (op) {
    case Opcode.I32WrapI64:
      return retype(c, ValType.I32, (a, d) => `${d} = ${a};`);
    case Opcode.I64ExtendI32S:
      return retype(c, ValType.I64, (a, d, k) => `${d} = ${a}; y${k} = ${a} >> 31;`);
    case Opcode.I64ExtendI32U:
      return retype(c, ValType.I64, (a, d, k) => `${d} = ${a}; y${k} = 0;`);
    case Opcode.F32ConvertI32S:
      return retype(c, ValType.F32, (a, d) => `${d} = Math.fround(${a});`);
    case Opcode.F32ConvertI32U:
      return retype(c, ValType.F32, (a, d) => `${d} = Math.fround(${a} >>> 0);`);
    case Opcode.F32DemoteF64:
      return retype(c, ValType.F32, (a, d) => `${d} = Math.fround(${a});`);
    case Opcode.F64ConvertI32S:
      return retype(c, ValType.F64, (a, d) => `${d} = ${a};`);
    case Opcode.F64ConvertI32U:
      return retype(c, ValType.F64, (a, d) => `${d} = ${a} >>> 0;`);
    case Opcode.F64ConvertI64S:
      return retype(c, ValType.F64, (a, d, k) => `${d} = y${k} * 4294967296 + (${a} >>> 0);`);
    case Opcode.F64ConvertI64U:
      return retype(c, ValType.F64, (a, d, k) => `${d} = (y${k} >>> 0) * 4294967296 + (${a} >>> 0);`);
    case Opcode.F64PromoteF32: // a marked signalling NaN is a quiet NaN as an f64: an arithmetic NaN, as promote wants
      return retype(c, ValType.F64, (a, d) => `${d} = ${a};`);
    case Opcode.I32ReinterpretF32:
      return retype(c, ValType.I32, (a, d) => `${d} = ${f32Bits(a)};`);
    case Opcode.I64ReinterpretF64:
      return retype(
        c,
        ValType.I64,
        (a, d, k) => `${RT.SD}[0] = ${a}; ${d} = ${RT.SI}[0]; y${k} = ${RT.SI}[1];`,
      );
    case Opcode.F32ReinterpretI32:
      return retype(c, ValType.F32, (a, d) => `${d} = ${f32FromBits(a)};`);
    case Opcode.F64ReinterpretI64:
      return retype(
        c,
        ValType.F64,
        (a, d, k) => `${RT.SI}[0] = ${a}; ${RT.SI}[1] = y${k}; ${d} = ${RT.SD}[0];`,
      );
    case Opcode.I32Extend8S:
      return unaryI32(c, (a) => `(${a} << 24) >> 24`);
    case Opcode.I32Extend16S:
      return unaryI32(c, (a) => `(${a} << 16) >> 16`);
    case Opcode.I64Extend8S:
    case Opcode.I64Extend16S:
    case Opcode.I64Extend32S: {
      const k = c.h - 1;
      const shift = op === Opcode.I64Extend8S ? 24 : op === Opcode.I64Extend16S ? 16 : 0;
      return c.emit(`x${k} = (x${k} << ${shift}) >> ${shift}; y${k} = x${k} >> 31;`);
    }
  }
  if (op >= Opcode.I32TruncF32S && op <= Opcode.F64PromoteF32) {
    // trapping truncations and i64 → f32: the interpreter's closures (exact rounding, traps)
    return c.bridge();
  }
  throw new Error(`js tier: unknown opcode 0x${op.toString(16)} at ${c.at}`);
}

function ltS(a: Halves, b: Halves): string {
  return `${a.hi} < ${b.hi} || (${a.hi} === ${b.hi} && (${a.lo} >>> 0) < (${b.lo} >>> 0))`;
}

function ltU(a: Halves, b: Halves): string {
  return `(${a.hi} >>> 0) < (${b.hi} >>> 0) || (${a.hi} === ${b.hi} && (${a.lo} >>> 0) < (${b.lo} >>> 0))`;
}

/** The code this file generates with, for the compile cache's key (compile.ts `generatorText`). */
export function numericText(): string {
  return [
    unaryI32,
    binaryI32,
    isInt,
    nonZero,
    unsigned,
    compare,
    halves,
    compare64,
    compareRead,
    numeric,
    i64,
    byWord,
    i64ShiftBy,
    i64ShiftByVariable,
    f32,
    f64,
    retype,
    conversion,
    ltS,
    ltU,
  ].map(String).join("\n") + JSON.stringify({ FLOAT_UNARY });
}
