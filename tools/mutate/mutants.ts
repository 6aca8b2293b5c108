/**
 * Mutant generation: parses a TypeScript file with npm:typescript and lists every small, realistic change
 * (the faults a programmer makes) as a text edit. Type positions, imports and exports are left alone.
 *
 * Operators (the `operator` field of a mutant):
 * - `relational`: `<` `<=` `>` `>=` moved across the boundary (`<` → `<=`) or negated (`<` → `>=`);
 * - `equality`: `===` ↔ `!==`, `==` ↔ `!=`;
 * - `arithmetic`: `+` ↔ `-`, `*` ↔ `/`, `%` → `*`, and the compound assignments `+=` ↔ `-=`;
 * - `bitwise`: `&` ↔ `|`, `^` → `|`, `<<` ↔ `>>`, `>>>` → `>>`, `>>` → `>>>`;
 * - `logical`: `&&` ↔ `||`, `??` → `||`;
 * - `literal`: an integer literal n → n + 1 and n - 1 (hex stays hex); `true` ↔ `false`;
 * - `negate`: the condition of an `if`, `while`, `do`, `for` or `?:` → `!(condition)`;
 * - `unary`: `!x` → `x`, `-x` → `x`, `x++` ↔ `x--`;
 * - `remove`: an expression statement (a call, an assignment, an increment) deleted;
 * - `return`: `return e` → `return <constant>` (0 or 1, true or false, "" or null, chosen by e's shape);
 * - `swap`: the branches of an `if … else` or of `?:` exchanged.
 */
import { ts } from "./typecheck.ts";

export interface Mutant {
  /** Stable id: "file:start:operator:replacement-index". */
  id: string;
  /** Repository-relative path, e.g. "src/wasm/reader.ts". */
  file: string;
  operator: string;
  /** 1-based line and column of the change. */
  line: number;
  column: number;
  /** The replaced range of the original text, and what replaces it. */
  start: number;
  end: number;
  replacement: string;
  /** The original line and the mutated line, for the report. */
  before: string;
  after: string;
}

const RELATIONAL: Record<string, string[]> = {
  "<": ["<=", ">="],
  "<=": ["<", ">"],
  ">": [">=", "<="],
  ">=": [">", "<"],
};
const EQUALITY: Record<string, string[]> = { "===": ["!=="], "!==": ["==="], "==": ["!="], "!=": ["=="] };
const ARITHMETIC: Record<string, string[]> = {
  "+": ["-"],
  "-": ["+"],
  "*": ["/"],
  "/": ["*"],
  "%": ["*"],
  "+=": ["-="],
  "-=": ["+="],
};
const BITWISE: Record<string, string[]> = {
  "&": ["|"],
  "|": ["&"],
  "^": ["|"],
  "<<": [">>"],
  ">>": ["<<", ">>>"],
  ">>>": [">>"],
};
const LOGICAL: Record<string, string[]> = { "&&": ["||"], "||": ["&&"], "??": ["||"] };

function operatorClass(op: string): [string, string[]] | undefined {
  if (RELATIONAL[op]) return ["relational", RELATIONAL[op]];
  if (EQUALITY[op]) return ["equality", EQUALITY[op]];
  if (ARITHMETIC[op]) return ["arithmetic", ARITHMETIC[op]];
  if (BITWISE[op]) return ["bitwise", BITWISE[op]];
  if (LOGICAL[op]) return ["logical", LOGICAL[op]];
  return undefined;
}

function isStringy(node: ts.Node): boolean {
  return ts.isStringLiteral(node) || ts.isTemplateExpression(node) ||
    ts.isNoSubstitutionTemplateLiteral(node);
}

/** Code only a human reads: messages of thrown errors and logging carry no behaviour the tests pin. */
function inDiagnosticText(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && /Error$/.test(n.expression.text)) {
      return true;
    }
    if (
      ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) &&
      ts.isIdentifier(n.expression.expression) && n.expression.expression.text === "console"
    ) return true;
    if (ts.isStatement(n)) return false;
  }
  return false;
}

/** Every mutant of one file, in source order. */
export function mutantsOf(file: string, text: string): Mutant[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ESNext, true, ts.ScriptKind.TS);
  const out: Mutant[] = [];
  const lineStarts = source.getLineStarts();
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos);
  const lineText = (line: number) =>
    text.slice(lineStarts[line], lineStarts[line + 1] ?? text.length).replace(/\r?\n$/, "");

  const add = (operator: string, start: number, end: number, replacement: string, index = 0) => {
    const { line, character } = lineOf(start);
    const mutated = text.slice(0, start) + replacement + text.slice(end);
    const lastLine = lineOf(end).line;
    const before = text.slice(lineStarts[line], lineStarts[lastLine + 1] ?? text.length).replace(
      /\r?\n$/,
      "",
    );
    const afterEnd = (lineStarts[lastLine + 1] ?? text.length) + (replacement.length - (end - start));
    const after = mutated.slice(lineStarts[line], afterEnd).replace(/\r?\n$/, "");
    out.push({
      id: `${file}:${start}:${operator}:${index}`,
      file,
      operator,
      line: line + 1,
      column: character + 1,
      start,
      end,
      replacement,
      before: before.split("\n").length > 3 ? lineText(line) + " …" : before,
      after: after.split("\n").length > 3 ? after.split("\n")[0] + " …" : after,
    });
  };

  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) || ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (ts.isDecorator(node)) return;
    if (inDiagnosticText(node) && !ts.isStatement(node)) {
      // Still descend into statements, but not into the message expressions themselves.
      return;
    }

    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.getText(source);
      const cls = operatorClass(op);
      const concat = (op === "+" || op === "+=") && (isStringy(node.left) || isStringy(node.right));
      if (cls && !concat) {
        cls[1].forEach((r, i) =>
          add(cls[0], node.operatorToken.getStart(source), node.operatorToken.end, r, i)
        );
      }
    }
    if (ts.isNumericLiteral(node)) {
      const raw = node.getText(source);
      const value = Number(raw.replaceAll("_", ""));
      if (Number.isSafeInteger(value) && !/[.eE]/.test(raw.startsWith("0x") ? "" : raw)) {
        const hex = /^0x/i.test(raw);
        const fmt = (n: number) => hex ? `0x${n.toString(16)}` : String(n);
        add("literal", node.getStart(source), node.end, fmt(value + 1), 0);
        if (value > 0) add("literal", node.getStart(source), node.end, fmt(value - 1), 1);
      }
    }
    if (node.kind === ts.SyntaxKind.TrueKeyword) add("literal", node.getStart(source), node.end, "false");
    if (node.kind === ts.SyntaxKind.FalseKeyword) add("literal", node.getStart(source), node.end, "true");

    if (ts.isPrefixUnaryExpression(node)) {
      if (node.operator === ts.SyntaxKind.ExclamationToken || node.operator === ts.SyntaxKind.MinusToken) {
        if (!(node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand))) {
          add("unary", node.getStart(source), node.operand.getStart(source), "");
        }
      }
      if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) {
        const r = node.operator === ts.SyntaxKind.PlusPlusToken ? "--" : "++";
        add("unary", node.getStart(source), node.operand.getStart(source), r);
      }
    }
    if (ts.isPostfixUnaryExpression(node)) {
      const r = node.operator === ts.SyntaxKind.PlusPlusToken ? "--" : "++";
      add("unary", node.operand.end, node.end, r);
    }

    const negate = (cond: ts.Expression) => {
      add("negate", cond.getStart(source), cond.end, `!(${cond.getText(source)})`);
    };
    if (ts.isIfStatement(node)) {
      negate(node.expression);
      if (node.elseStatement && !ts.isIfStatement(node.elseStatement)) {
        const t = node.thenStatement, e = node.elseStatement;
        const tt = t.getText(source), et = e.getText(source);
        add("swap", t.getStart(source), e.end, `${block(et)} else ${block(tt)}`);
      }
    }
    if (ts.isWhileStatement(node) || ts.isDoStatement(node)) negate(node.expression);
    if (ts.isForStatement(node) && node.condition) negate(node.condition);
    if (ts.isConditionalExpression(node)) {
      negate(node.condition);
      const wt = node.whenTrue.getText(source), wf = node.whenFalse.getText(source);
      add("swap", node.whenTrue.getStart(source), node.whenFalse.end, `${wf} : ${wt}`);
    }

    if (ts.isExpressionStatement(node)) {
      const e = node.expression;
      const removable = ts.isCallExpression(e) || ts.isAwaitExpression(e) ||
        (ts.isBinaryExpression(e) && isAssignment(e.operatorToken.kind)) ||
        ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e);
      if (removable && !(ts.isCallExpression(e) && isSuper(e))) {
        add("remove", node.getStart(source), node.end, ";");
      }
    }

    if (ts.isReturnStatement(node) && node.expression) {
      const e = node.expression;
      for (const [i, c] of constantsFor(e, source).entries()) add("return", e.getStart(source), e.end, c, i);
    }

    ts.forEachChild(node, visit);
  };
  ts.forEachChild(source, visit);
  return out;
}

function block(statement: string): string {
  return statement.startsWith("{") ? statement : `{ ${statement} }`;
}

function isSuper(e: ts.CallExpression): boolean {
  return e.expression.kind === ts.SyntaxKind.SuperKeyword;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** Replacement constants for a returned expression, guessed from its shape (the type check filters). */
function constantsFor(e: ts.Expression, source: ts.SourceFile): string[] {
  const text = e.getText(source);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return ["false"];
  if (e.kind === ts.SyntaxKind.FalseKeyword) return ["true"];
  if (ts.isNumericLiteral(e)) return [text === "0" ? "1" : "0"];
  if (ts.isStringLiteral(e) || ts.isTemplateExpression(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
    return text === '""' ? [] : ['""'];
  }
  if (e.kind === ts.SyntaxKind.NullKeyword || ts.isIdentifier(e) && e.text === "undefined") return [];
  if (ts.isBinaryExpression(e)) {
    const k = e.operatorToken.kind;
    if (k >= ts.SyntaxKind.LessThanToken && k <= ts.SyntaxKind.ExclamationEqualsEqualsToken) {
      return ["true", "false"];
    }
    if (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken) {
      return ["true", "false"];
    }
    return ["0", "1"];
  }
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    return ["true", "false"];
  }
  if (ts.isArrayLiteralExpression(e)) return e.elements.length ? ["[]"] : [];
  return ["0", "null", "true", '""'];
}
