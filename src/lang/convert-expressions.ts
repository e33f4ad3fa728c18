/**
 * Expressions and initializers, from tree-sitter's C expressions to Expr.
 */
import type { AssignOp, BinaryOp, Designator, Expr, Initializer, InitItem, UnaryOp } from './ast.js';
import { convertTypeDescriptor } from './convert-types.js';
import { type CstContext, type CstNode, namedChildren } from './cst-context.js';
import { charLiteralValue, decodeEscapes, parseIntegerLiteral, splitQuoted } from './literals.js';
import { ASM_HINT, FLOAT_HINT, unknownMacroHint } from './hints.js';


const BINARY_OPS: ReadonlySet<string> = new Set<BinaryOp>([
  '+', '-', '*', '/', '%', '<<', '>>', '&', '|', '^', '==', '!=', '<', '<=', '>', '>=', '&&', '||',
]);
const ASSIGN_OPS: ReadonlySet<string> = new Set<AssignOp>([
  '=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '|=', '^=',
]);

/** Deepest expression nesting converted (recursion beyond it would overflow the JS stack). */
const MAX_EXPRESSION_DEPTH = 400;

/** Converts an expression node (including `comma_expression`). */
export function convertExpr(node: CstNode, cx: CstContext): Expr {
  if (cx.expressionDepth >= MAX_EXPRESSION_DEPTH) throw TOO_DEEP;
  cx.expressionDepth++;
  try {
    return convertExprAt(node, cx);
  } catch (err) {
    // Reported at the outermost expression, where the user's statement starts.
    if (err === TOO_DEEP && cx.expressionDepth === 1) {
      cx.unsupported(node, 'expression nested too deeply', 'split it into several statements with intermediate variables');
    }
    throw err;
  } finally {
    cx.expressionDepth--;
  }
}

/** Thrown from the depth limit up to the outermost expression. */
const TOO_DEEP = new Error('expression nested too deeply');

function convertExprAt(node: CstNode, cx: CstContext): Expr {
  const loc = cx.loc(node);
  const sub = (name: string): Expr => convertExpr(cx.field(node, name), cx);
  switch (node.type) {
    case 'identifier':
      return { kind: 'ident', name: node.text, loc };
    case 'number_literal':
      return convertNumber(node, cx);
    case 'char_literal': {
      const value = charLiteralValue(node.text);
      if (typeof value === 'string') cx.parseError(node, value, null);
      return { kind: 'char', value, loc };
    }
    case 'string_literal':
    case 'concatenated_string':
      return { kind: 'string', value: stringValue(node, cx), loc };
    case 'true':
    case 'false':
      // Only the lower-case spellings are C; TRUE and FALSE are ordinary names.
      if (node.text === 'TRUE' || node.text === 'FALSE') return { kind: 'ident', name: node.text, loc };
      return { kind: 'int', value: node.type === 'true' ? 1n : 0n, unsigned: false, long: 0, loc };
    case 'null': {
      // NULL is ((void *)0), as in the kernel's <linux/stddef.h>.
      const zero: Expr = { kind: 'int', value: 0n, unsigned: false, long: 0, loc };
      const voidPtr = { kind: 'pointer', to: { kind: 'base', name: 'void', loc }, loc } as const;
      return { kind: 'cast', type: voidPtr, arg: zero, loc };
    }
    case 'parenthesized_expression': {
      const inner = namedChildren(node)[0];
      if (inner === undefined) return cx.parseError(node, 'empty parentheses', null);
      if (inner.type === 'compound_statement') {
        cx.unsupported(node, 'statement expression `({ ... })`',
          'write the block as a function, or the macro as do { ... } while (0) when no value is needed');
      }
      return convertExpr(inner, cx);
    }
    case 'comma_expression':
      return { kind: 'comma', left: sub('left'), right: sub('right'), loc };
    case 'conditional_expression': {
      const then = node.childForFieldName('consequence');
      if (then === null) cx.unsupported(node, 'conditional with omitted operand `a ?: b`', 'write a ? a : b');
      return { kind: 'conditional', cond: sub('condition'), then: convertExpr(then, cx), else: sub('alternative'), loc };
    }
    case 'assignment_expression': {
      const op = cx.field(node, 'operator').type;
      if (!ASSIGN_OPS.has(op)) cx.parseError(node, `unknown assignment operator \`${op}\``, null);
      return { kind: 'assign', op: op as AssignOp, target: sub('left'), value: sub('right'), loc };
    }
    case 'binary_expression': {
      const op = cx.field(node, 'operator').type;
      if (!BINARY_OPS.has(op)) cx.parseError(node, `unknown operator \`${op}\``, null);
      return { kind: 'binary', op: op as BinaryOp, left: sub('left'), right: sub('right'), loc };
    }
    case 'unary_expression':
    case 'pointer_expression':
      return { kind: 'unary', op: cx.field(node, 'operator').type as UnaryOp, arg: sub('argument'), loc };
    case 'update_expression': {
      const op = cx.field(node, 'operator');
      const prefix = op.startIndex < cx.field(node, 'argument').startIndex;
      return { kind: 'update', op: op.type === '++' ? '++' : '--', prefix, arg: sub('argument'), loc };
    }
    case 'cast_expression':
      return { kind: 'cast', type: convertTypeDescriptor(cx.field(node, 'type'), cx), arg: sub('value'), loc };
    case 'sizeof_expression': {
      const type = node.childForFieldName('type');
      if (type !== null) return { kind: 'sizeofType', type: convertTypeDescriptor(type, cx), loc };
      return { kind: 'sizeofExpr', arg: sub('value'), loc };
    }
    case 'subscript_expression':
      return { kind: 'index', array: sub('argument'), index: sub('index'), loc };
    case 'call_expression':
      return { kind: 'call', callee: sub('function'), args: convertArgs(node, cx), loc };
    case 'field_expression': {
      const arrow = cx.field(node, 'operator').type === '->';
      return { kind: 'member', object: sub('argument'), field: cx.field(node, 'field').text, arrow, loc };
    }
    case 'compound_literal_expression':
      return {
        kind: 'compoundLiteral',
        type: convertTypeDescriptor(cx.field(node, 'type'), cx),
        init: convertInitializer(cx.field(node, 'value'), cx),
        loc,
      };
    case 'extension_expression':
      return convertExpr(namedChildren(node)[0] ?? node, cx);
    case 'gnu_asm_expression':
      return cx.unsupported(node, 'inline assembly', ASM_HINT);
    case 'generic_expression':
      return cx.unsupported(node, '`_Generic`', 'write the branch for the type the model uses');
    case 'alignof_expression':
      return cx.unsupported(node, '`alignof`', 'irqcheck does not model memory layout; use a constant');
    case 'offsetof_expression':
      return cx.unsupported(node, '`offsetof`', 'irqcheck does not model memory layout; use the member directly');
    case 'initializer_list':
      return cx.parseError(node, 'an initializer list is not an expression here',
        'a braced list initializes a declaration; for a value write a compound literal: (struct foo){ ... }');
  }
  return cx.parseError(node, `unexpected \`${node.text.slice(0, 40)}\` where an expression was expected`, null);
}

/** A call's arguments; a braced block as an argument means an unknown statement macro. */
function convertArgs(call: CstNode, cx: CstContext): Expr[] {
  return namedChildren(cx.field(call, 'arguments')).map((arg) => {
    if (arg.type === 'compound_statement') {
      const callee = cx.field(call, 'function').text;
      cx.parseError(arg, `a block \`{ ... }\` is passed to \`${callee}(...)\``,
        unknownMacroHint(callee));
    }
    return convertExpr(arg, cx);
  });
}

/** An integer constant; tree-sitter lexes the sign of `(u64)-1` into the literal, so it is split off. */
function convertNumber(node: CstNode, cx: CstContext): Expr {
  const loc = cx.loc(node);
  const sign = /^[-+]/.test(node.text) ? (node.text[0] as '-' | '+') : null;
  const lit = parseIntegerLiteral(sign === null ? node.text : node.text.slice(1));
  if (lit.kind === 'float') return cx.unsupported(node, `floating-point constant \`${node.text}\``, FLOAT_HINT);
  if (lit.kind === 'invalid') return cx.parseError(node, lit.reason, null);
  const value: Expr = { kind: 'int', value: lit.value, unsigned: lit.unsigned, long: lit.long, loc };
  return sign === null ? value : { kind: 'unary', op: sign, arg: value, loc };
}

/** Adjacent literals concatenated (C11 §5.1.1.2 phase 6), escapes decoded. */
function stringValue(node: CstNode, cx: CstContext): string {
  const parts = node.type === 'string_literal' ? [node] : namedChildren(node);
  return parts
    .map((part) => {
      if (part.type !== 'string_literal') {
        cx.parseError(part, `\`${part.text}\` between string literals`,
          `is \`${part.text}\` a macro irqcheck does not know? define it with #define`);
      }
      const codes = decodeEscapes(splitQuoted(part.text).inside);
      if (typeof codes === 'string') cx.parseError(part, codes, null);
      return String.fromCodePoint(...codes);
    })
    .join('');
}

/** An initializer: an expression or a braced list with designators. */
export function convertInitializer(node: CstNode, cx: CstContext): Initializer {
  const loc = cx.loc(node);
  if (node.type !== 'initializer_list') return { kind: 'expr', expr: convertExpr(node, cx), loc };
  const items = namedChildren(node).map((item): InitItem => {
    if (item.type !== 'initializer_pair') return { designators: [], value: convertInitializer(item, cx) };
    const designators = item.childrenForFieldName('designator').flatMap((d): Designator[] => {
      if (d === null) return [];
      const dloc = cx.loc(d);
      switch (d.type) {
        case 'field_designator':
          return [{ kind: 'field', name: namedChildren(d)[0]?.text ?? '', loc: dloc }];
        case 'field_identifier': // the old GNU `name: value` form
          return [{ kind: 'field', name: d.text, loc: dloc }];
        case 'subscript_designator':
          return [{ kind: 'index', index: convertExpr(namedChildren(d)[0] ?? d, cx), loc: dloc }];
        case 'subscript_range_designator':
          return cx.unsupported(d, 'range designator `[a ... b]`', 'write one designator per element');
      }
      return cx.parseError(d, `unexpected \`${d.text}\` in a designator`, null);
    });
    return { designators, value: convertInitializer(cx.field(item, 'value'), cx) };
  });
  return { kind: 'list', items, loc };
}
