/**
 * `#if` and `#elif` conditions: `defined`, macro expansion, then an integer
 * constant expression evaluated in intmax_t/uintmax_t (64 bits) as C11
 * §6.10.1 says.
 */
import type { SourceLoc } from './ast.js';
import { ParseError } from './diagnostic.js';
import { charLiteralValue, parseIntegerLiteral } from './literals.js';
import type { MacroExpander } from './macro-expander.js';
import { withToken, type PpToken } from './pp-token.js';

interface Value {
  readonly v: bigint;
  readonly unsigned: boolean;
}

const BINARY_PRECEDENCE: Readonly<Record<string, number>> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6,
  '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

/** Whether the condition of `#if`/`#elif` holds. Throws a ParseError if it is not a constant expression. */
export function evaluateCondition(line: readonly PpToken[], directive: PpToken, macros: MacroExpander): boolean {
  const expanded = replaceDefined(macros.expandAll(replaceDefined(line, macros)), macros);
  if (expanded.length === 0) fail(directive.origin, `#${directive.text} with no expression`);
  const parser = new ConditionParser(expanded, directive.origin);
  const value = parser.conditional();
  parser.expectEnd();
  return value.v !== 0n;
}

function fail(loc: SourceLoc, message: string): never {
  throw new ParseError('parse-error', message, loc,
    '#if takes an integer constant expression over numbers, macros and defined(NAME)');
}

/** `defined X` and `defined(X)` become 1 or 0 before macros are expanded. */
function replaceDefined(line: readonly PpToken[], macros: MacroExpander): PpToken[] {
  const out: PpToken[] = [];
  for (let i = 0; i < line.length; i++) {
    const t = line[i] as PpToken;
    if (t.kind !== 'ident' || t.text !== 'defined') {
      out.push(t);
      continue;
    }
    const paren = line[i + 1]?.text === '(';
    const name = line[i + (paren ? 2 : 1)];
    if (name === undefined || name.kind !== 'ident' || (paren && line[i + 3]?.text !== ')')) {
      fail(t.origin, 'operator "defined" requires an identifier');
    }
    out.push(withToken(t, { kind: 'number', text: macros.isDefined(name.text) ? '1' : '0' }));
    i += paren ? 3 : 1;
  }
  return out;
}

function wrap(v: bigint, unsigned: boolean): Value {
  return { v: unsigned ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v), unsigned };
}

const truth = (b: boolean): Value => ({ v: b ? 1n : 0n, unsigned: false });

/** Precedence climbing over the expanded tokens. */
class ConditionParser {
  private pos = 0;
  constructor(private readonly tokens: readonly PpToken[], private readonly at: SourceLoc) {}

  conditional(): Value {
    const cond = this.binary(1);
    if (this.peek()?.text !== '?') return cond;
    this.pos++;
    const then = this.conditional();
    this.expect(':');
    const otherwise = this.conditional();
    const unsigned = then.unsigned || otherwise.unsigned;
    return wrap(cond.v !== 0n ? then.v : otherwise.v, unsigned);
  }

  expectEnd(): void {
    const t = this.peek();
    if (t !== undefined) fail(t.origin, `unexpected \`${t.text}\` in #if expression`);
  }

  private binary(minPrec: number): Value {
    let left = this.unary();
    for (;;) {
      const op = this.peek();
      const prec = op !== undefined && op.kind === 'punct' ? BINARY_PRECEDENCE[op.text] : undefined;
      if (op === undefined || prec === undefined || prec < minPrec) return left;
      this.pos++;
      const right = this.binary(prec + 1);
      left = apply(op, left, right);
    }
  }

  private unary(): Value {
    const t = this.tokens[this.pos++];
    if (t === undefined) return fail(this.at, 'unexpected end of #if expression');
    switch (t.text) {
      case '(': {
        const v = this.conditional();
        this.expect(')');
        return v;
      }
      case '!': return truth(this.unary().v === 0n);
      case '-': { const a = this.unary(); return wrap(-a.v, a.unsigned); }
      case '+': return this.unary();
      case '~': { const a = this.unary(); return wrap(~a.v, a.unsigned); }
    }
    if (t.kind === 'number') {
      const lit = parseIntegerLiteral(t.text);
      if (lit.kind !== 'int') fail(t.origin, lit.kind === 'float' ? 'floating constant in #if' : lit.reason);
      return wrap(lit.value, lit.unsigned || lit.value > 0x7fffffffffffffffn);
    }
    if (t.kind === 'char') {
      const c = charLiteralValue(t.text);
      if (typeof c === 'string') fail(t.origin, c);
      return { v: BigInt(c), unsigned: false };
    }
    // Identifiers left after expansion are 0 (§6.10.1p4); C23's true is 1.
    if (t.kind === 'ident') {
      // Compiler feature tests (__has_attribute(x), __has_include(...)) answer no.
      if (t.text.startsWith('__has_') && this.peek()?.text === '(') this.skipParens();
      return truth(t.text === 'true');
    }
    return fail(t.origin, `unexpected \`${t.text}\` in #if expression`);
  }

  private skipParens(): void {
    let depth = 0;
    for (let t = this.tokens[this.pos]; t !== undefined; t = this.tokens[++this.pos]) {
      if (t.text === '(') depth++;
      if (t.text === ')' && --depth === 0) {
        this.pos++;
        return;
      }
    }
  }

  private peek(): PpToken | undefined {
    return this.tokens[this.pos];
  }

  private expect(text: string): void {
    const t = this.tokens[this.pos];
    if (t?.text !== text) fail(t?.origin ?? this.at, `expected \`${text}\` in #if expression`);
    this.pos++;
  }
}

function apply(op: PpToken, a: Value, b: Value): Value {
  const unsigned = a.unsigned || b.unsigned;
  const x = unsigned ? BigInt.asUintN(64, a.v) : a.v;
  const y = unsigned ? BigInt.asUintN(64, b.v) : b.v;
  switch (op.text) {
    case '||': return truth(a.v !== 0n || b.v !== 0n);
    case '&&': return truth(a.v !== 0n && b.v !== 0n);
    case '|': return wrap(x | y, unsigned);
    case '^': return wrap(x ^ y, unsigned);
    case '&': return wrap(x & y, unsigned);
    case '==': return truth(x === y);
    case '!=': return truth(x !== y);
    case '<': return truth(x < y);
    case '>': return truth(x > y);
    case '<=': return truth(x <= y);
    case '>=': return truth(x >= y);
    case '<<': return wrap(a.v << BigInt.asUintN(6, b.v), a.unsigned);
    case '>>': return wrap((a.unsigned ? BigInt.asUintN(64, a.v) : a.v) >> BigInt.asUintN(6, b.v), a.unsigned);
    case '+': return wrap(x + y, unsigned);
    case '-': return wrap(x - y, unsigned);
    case '*': return wrap(x * y, unsigned);
    case '/':
    case '%':
      if (y === 0n) fail(op.origin, 'division by zero in #if');
      return wrap(op.text === '/' ? x / y : x % y, unsigned);
  }
  return fail(op.origin, `unexpected \`${op.text}\` in #if expression`);
}
