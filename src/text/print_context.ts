/**
 * What printing needs to know about the whole module: the index spaces (imports first, then
 * definitions), the identifier of every index, and the text of types.
 */
import type { BinaryModule, GlobalType, Limits } from "./print_binary.ts";
import { type IdMap, NameKind, type Names } from "./print_names.ts";
import type { CompositeType, FieldType, HeapType, RefType, SubType, ValType } from "./print_types.ts";
import { REF_SHORTHANDS } from "./ref_shorthands.ts";

/** A function type's parameter and result counts, for the folded form's stack bookkeeping. */
export interface Arity {
  readonly params: number;
  readonly results: number;
}

/** The module being printed, with its index spaces and names, and how its types print. */
export class PrintContext {
  /** Type index of every function, imported ones first. */
  readonly funcTypes: number[];
  /** Type index of every tag, imported ones first. */
  readonly tagTypes: number[];

  /** `names` from the name section, when it has one that reads. */
  constructor(readonly module: BinaryModule, readonly names: Names | undefined) {
    const imported = <K extends string>(kind: K) =>
      module.imports.flatMap((i) => i.desc.kind === kind ? [i.desc.type as never] : []);
    this.funcTypes = [...imported("func"), ...module.funcs];
    this.tagTypes = [...imported("tag"), ...module.tags];
  }

  /** The identifiers of one index space (empty without a name section). */
  space(kind: NameKind): IdMap | undefined {
    return this.names?.spaces.get(kind);
  }

  /** The identifiers of an inner space: locals or labels of function `outer`, fields of type `outer`. */
  nested(kind: NameKind, outer: number): IdMap | undefined {
    return this.names?.nested.get(kind)?.get(outer);
  }

  /** How an instruction or declaration refers to `index`: its identifier, else the number. */
  ref(kind: NameKind, index: number): string {
    return this.space(kind)?.get(index) ?? String(index);
  }

  /** The ` $id` that a definition of `index` carries, or "". */
  binder(kind: NameKind, index: number): string {
    const id = this.space(kind)?.get(index);
    return id === undefined ? "" : ` ${id}`;
  }

  /** An abstract heap type's name, or a type index's identifier. */
  heapType(heap: HeapType): string {
    return typeof heap === "number" ? this.ref(NameKind.Type, heap) : heap;
  }

  /** `funcref`-style shorthand for nullable abstract types, else `(ref null? ht)`. */
  refType(t: RefType): string {
    if (t.nullable && typeof t.heap === "string") return REF_SHORTHANDS[t.heap];
    return `(ref ${t.nullable ? "null " : ""}${this.heapType(t.heap)})`;
  }

  /** A value type's text. */
  valType(t: ValType): string {
    return typeof t === "string" ? t : this.refType(t);
  }

  /** ` (param t…)` or ` (result t…)`, or "" when there are none. */
  valTypes(keyword: "param" | "result", types: ValType[]): string {
    return types.length === 0 ? "" : ` (${keyword} ${types.map((t) => this.valType(t)).join(" ")})`;
  }

  /** The defined type at `index`, when it exists. */
  type(index: number): SubType | undefined {
    return this.module.types[index];
  }

  /** The composite type at `index` when it is a function type. */
  funcType(index: number): Extract<CompositeType, { kind: "func" }> | undefined {
    const composite = this.type(index)?.composite;
    return composite?.kind === "func" ? composite : undefined;
  }

  /** Parameter and result counts of function type `index`, when it is one. */
  arityOfType(index: number): Arity | undefined {
    const f = this.funcType(index);
    return f && { params: f.params.length, results: f.results.length };
  }

  /** `(type $t)` followed by the inline params and results, as function definitions and imports use. */
  typeUse(index: number, paramIds?: IdMap): string {
    const f = this.funcType(index);
    let text = `(type ${this.ref(NameKind.Type, index)})`;
    if (!f) return text;
    if (paramIds && f.params.some((_, i) => paramIds.has(i))) {
      text += f.params.map((t, i) =>
        ` (param${paramIds.has(i) ? ` ${paramIds.get(i)}` : ""} ${this.valType(t)})`
      )
        .join("");
    } else text += this.valTypes("param", f.params);
    return text + this.valTypes("result", f.results);
  }

  /** A struct field's or array element's type: `(mut i8)`, `i32`… */
  fieldType(f: FieldType): string {
    const storage = typeof f.storage === "string" ? f.storage : this.refType(f.storage);
    return f.mutable ? `(mut ${storage})` : storage;
  }

  /** `t` or `(mut t)`. */
  globalType(g: GlobalType): string {
    return g.mutable ? `(mut ${this.valType(g.type)})` : this.valType(g.type);
  }

  /** Limits as tables and memories print them: `i64`? min max? `shared`? */
  limits(l: Limits): string {
    const address = l.index64 ? "i64 " : "";
    return `${address}${l.min}${l.max === undefined ? "" : ` ${l.max}`}${l.shared ? " shared" : ""}`;
  }
}
