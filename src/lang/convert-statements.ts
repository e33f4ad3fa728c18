/**
 * Statements. tree-sitter nests the statements after `case v:` inside the
 * case; here a case becomes a marker followed by those statements in the
 * enclosing block, as ast.ts specifies, so a switch body is a flat list.
 */
import type { Declaration, Expr, Stmt } from './ast.js';
import { convertDeclaration, convertTypeOnly, TYPE_SPECIFIERS } from './convert-declarations.js';
import { convertExpr } from './convert-expressions.js';
import { type CstContext, type CstNode, namedChildren } from './cst-context.js';
import { unknownMacroHint } from './hints.js';

type Compound = Extract<Stmt, { kind: 'compound' }>;
type Item = Stmt | Declaration;

/** `{ ... }`. */
export function convertCompound(node: CstNode, cx: CstContext): Compound {
  return { kind: 'compound', items: convertItems(namedChildren(node), cx), loc: cx.loc(node) };
}

/** Block items in order, with cases and labels before declarations flattened. */
function convertItems(nodes: readonly CstNode[], cx: CstContext): Item[] {
  return nodes.flatMap((node) => convertItem(node, cx));
}

function convertItem(node: CstNode, cx: CstContext): Item[] {
  const loc = cx.loc(node);
  switch (node.type) {
    case 'declaration':
    case 'type_definition':
      return [convertDeclaration(node, cx)];
    case 'function_definition':
      return nestedFunction(node, cx);
    case 'case_statement': {
      const value = node.childForFieldName('value');
      const marker: Stmt = { kind: 'case', value: value === null ? null : convertExpr(value, cx), loc };
      const body = namedChildren(node).filter((c) => value === null || c.id !== value.id);
      return [marker, ...convertItems(body, cx)];
    }
    case 'labeled_statement': {
      const label = cx.field(node, 'label').text;
      const body = namedChildren(node).filter((c) => c.type !== 'statement_identifier');
      const target = body[0];
      if (target === undefined || target.type === 'declaration' || target.type === 'case_statement') {
        // `out: int x;` or `again: case 1:` — the label marks the place the next item starts.
        return [{ kind: 'labeled', label, body: { kind: 'empty', loc }, loc }, ...convertItems(body, cx)];
      }
      return [{ kind: 'labeled', label, body: convertStmt(target, cx), loc }];
    }
    case 'attributed_statement':
      return convertItems(namedChildren(node).filter((c) => c.type !== 'attribute_declaration'), cx);
  }
  if (TYPE_SPECIFIERS.has(node.type)) return [convertTypeOnly(node, cx)];
  return [convertStmt(node, cx)];
}

/** One statement where the grammar allows exactly one (a loop body, a branch). */
export function convertStmt(node: CstNode, cx: CstContext): Stmt {
  const loc = cx.loc(node);
  const cond = (): Expr => convertExpr(cx.field(node, 'condition'), cx);
  const body = (): Stmt => convertStmt(cx.field(node, 'body'), cx);
  switch (node.type) {
    case 'compound_statement':
      return convertCompound(node, cx);
    case 'expression_statement': {
      const expr = namedChildren(node)[0];
      return expr === undefined ? { kind: 'empty', loc } : { kind: 'expr', expr: convertExpr(expr, cx), loc };
    }
    case 'if_statement': {
      const alternative = node.childForFieldName('alternative');
      const otherwise = alternative === null ? null : namedChildren(alternative)[0];
      return {
        kind: 'if',
        cond: cond(),
        then: convertStmt(cx.field(node, 'consequence'), cx),
        else: otherwise === null || otherwise === undefined ? null : convertStmt(otherwise, cx),
        loc,
      };
    }
    case 'while_statement':
      return { kind: 'while', cond: cond(), body: body(), loc };
    case 'do_statement':
      return { kind: 'do', body: body(), cond: cond(), loc };
    case 'for_statement':
      return convertFor(node, cx);
    case 'switch_statement':
      return { kind: 'switch', value: cond(), body: body(), loc };
    case 'return_statement': {
      const value = namedChildren(node)[0];
      return { kind: 'return', value: value === undefined ? null : convertExpr(value, cx), loc };
    }
    case 'break_statement':
      return { kind: 'break', loc };
    case 'continue_statement':
      return { kind: 'continue', loc };
    case 'goto_statement':
      return { kind: 'goto', label: cx.field(node, 'label').text, loc };
    case 'labeled_statement':
    case 'case_statement':
    case 'attributed_statement': {
      const items = convertItem(node, cx);
      const only = items[0];
      return items.length === 1 && only !== undefined && only.kind !== 'declaration'
        ? only
        : { kind: 'compound', items, loc };
    }
    case 'seh_try_statement':
    case 'seh_leave_statement':
      return cx.unsupported(node, 'Microsoft structured exception handling', 'irqcheck reads the C the kernel writes');
    case 'declaration':
    case 'type_definition':
      return cx.parseError(node, 'a declaration is not a statement here', 'put it inside braces { ... }');
  }
  return cx.parseError(node, `unexpected \`${node.text.slice(0, 40)}\` where a statement was expected`, null);
}

/** `for (init; cond; step) body`; init may declare (`for (int i = 0; ...)`). */
function convertFor(node: CstNode, cx: CstContext): Stmt {
  const init = node.childForFieldName('initializer');
  const cond = node.childForFieldName('condition');
  const step = node.childForFieldName('update');
  return {
    kind: 'for',
    init: init === null ? null : init.type === 'declaration' ? convertDeclaration(init, cx) : convertExpr(init, cx),
    cond: cond === null ? null : convertExpr(cond, cx),
    step: step === null ? null : convertExpr(step, cx),
    body: convertStmt(cx.field(node, 'body'), cx),
    loc: cx.loc(node),
  };
}

/**
 * tree-sitter reads `for_each_foo(c) { ... }`, with for_each_foo undefined,
 * as a function definition (type for_each_foo, declarator (c)); a real
 * nested function (a GNU extension) is not supported either.
 */
function nestedFunction(node: CstNode, cx: CstContext): never {
  const type = node.childForFieldName('type');
  const declarator = node.childForFieldName('declarator');
  if (type?.type === 'type_identifier' && declarator?.type !== 'function_declarator') {
    cx.parseError(node, `unexpected block after \`${type.text}(...)\``,
      unknownMacroHint(type.text));
  }
  return cx.unsupported(node, 'nested function definition', 'define the function at file scope');
}
