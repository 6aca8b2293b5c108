/**
 * Symbolic names for the flag sets and enumerations that WASI calls take, for `--trace`:
 * `oflags=CREAT|TRUNC` reads better than `oflags=0x9`. Bits with no name stay visible as hex
 * (`CREAT|0x100`), so a guest passing garbage still shows what it passed.
 */
import {
  Advice,
  ClockId,
  FdFlags,
  FstFlags,
  LOOKUP_SYMLINK_FOLLOW,
  OFlags,
  Rights,
  SdFlags,
  Signal,
} from "./constants.ts";

/** Bit name → value, for one flag set. */
type BitNames = Readonly<Record<string, number>>;

/** Which flag set or enumeration a parameter holds (see trace_signatures.ts). */
export type FlagKind =
  | "oflags"
  | "fdflags"
  | "lookupflags"
  | "fstflags"
  | "riflags"
  | "roflags"
  | "siflags"
  | "sdflags"
  | "subclockflags"
  | "eventrwflags";

export type EnumKind = "whence" | "clockid" | "advice" | "signal" | "eventtype";

const BITS: Record<FlagKind, BitNames> = {
  oflags: OFlags,
  fdflags: FdFlags,
  lookupflags: { SYMLINK_FOLLOW: LOOKUP_SYMLINK_FOLLOW },
  fstflags: FstFlags,
  riflags: { RECV_PEEK: 1, RECV_WAITALL: 2 },
  roflags: { RECV_DATA_TRUNCATED: 1 },
  siflags: {},
  sdflags: SdFlags,
  subclockflags: { ABSTIME: 1 },
  eventrwflags: { HANGUP: 1 },
};

/** `CREAT|TRUNC`; `0` when no bit is set; unnamed bits as one hex remainder. */
export function flagNames(kind: FlagKind, value: number): string {
  const v = value >>> 0;
  if (v === 0) return "0";
  const names: string[] = [];
  let rest = v;
  for (const [name, bit] of Object.entries(BITS[kind])) {
    if (v & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) names.push(`0x${(rest >>> 0).toString(16)}`);
  return names.join("|");
}

const RIGHT_NAMES = Object.entries(Rights) as [string, bigint][];
const ALL_NAMED = RIGHT_NAMES.reduce((all, [, bit]) => all | bit, 0n);

/**
 * A rights mask by name. wasi-libc asks for every right it may ever need, so most masks are nearly
 * full: with more than half of the rights set, the mask is written as what it lacks,
 * `ALL&~(SOCK_ACCEPT)`, or `ALL` when nothing is missing.
 */
export function rightsNames(value: bigint): string {
  const v = BigInt.asUintN(64, value);
  if (v === 0n) return "0";
  const extra = v & ~ALL_NAMED;
  const suffix = extra ? `|0x${extra.toString(16)}` : "";
  const set = RIGHT_NAMES.filter(([, bit]) => v & bit).map(([name]) => name);
  if (set.length * 2 <= RIGHT_NAMES.length) {
    return set.length === 0 ? `0x${extra.toString(16)}` : set.join("|") + suffix;
  }
  const missing = RIGHT_NAMES.filter(([, bit]) => !(v & bit)).map(([name]) => name);
  return (missing.length === 0 ? "ALL" : `ALL&~(${missing.join("|")})`) + suffix;
}

const byValue = (names: BitNames) => new Map(Object.entries(names).map(([k, v]) => [v, k]));

const ENUMS: Record<Exclude<EnumKind, "whence">, Map<number, string>> = {
  clockid: byValue(ClockId),
  advice: byValue(Advice),
  signal: byValue(Signal),
  eventtype: byValue({ CLOCK: 0, FD_READ: 1, FD_WRITE: 2 }),
};

/** The two namespaces number `whence` differently (see abi.ts). */
const WHENCE = {
  preview1: byValue({ SET: 0, CUR: 1, END: 2 }),
  unstable: byValue({ CUR: 0, END: 1, SET: 2 }),
};

/** The name of an enumeration value (`END`, `MONOTONIC`), or the number when it has none. */
export function enumName(kind: EnumKind, value: number, layout: "preview1" | "unstable"): string {
  const names = kind === "whence" ? WHENCE[layout] : ENUMS[kind];
  const v = value >>> 0;
  return names.get(v) ?? String(v);
}
