/**
 * Declarations, typedefs and function definitions, at file scope and in
 * blocks, and the translation unit's list of top-level items.
 */
import type { Declaration, Declarator, FunctionDef, TopLevel } from './ast.js';
import { convertInitializer } from './convert-expressions.js';
import { convertCompound } from './convert-statements.js';
import { applyDeclarator, convertSpecifiers, convertTypeSpecifier } from './convert-types.js';
import { type CstContext, type CstNode, fieldChildren, namedChildren } from './cst-context.js';
import { ASM_HINT, unknownMacroHint } from './hints.js';


/** Node types that are a bare type specifier, as in `struct foo { ... };`. */
export const TYPE_SPECIFIERS: ReadonlySet<string> = new Set([
  'struct_specifier', 'union_specifier', 'enum_specifier', 'primitive_type', 'sized_type_specifier',
  'type_identifier', 'macro_type_specifier',
]);

/** `static int a = 1, *b;` or `typedef int (*fn_t)(void);`. */
export function convertDeclaration(node: CstNode, cx: CstContext): Declaration {
  const { storage, type } = convertSpecifiers(node, cx);
  const declarators = fieldChildren(node, 'declarator').map((d): Declarator => {
    const init = d.type === 'init_declarator' ? cx.field(d, 'value') : null;
    const target = d.type === 'init_declarator' ? cx.field(d, 'declarator') : d;
    const declared = applyDeclarator(type, target, cx);
    if (declared.name === null) return cx.parseError(d, 'declaration without a name', null);
    return {
      name: declared.name,
      type: declared.type,
      init: init === null ? null : convertInitializer(init, cx),
      loc: cx.loc(d),
    };
  });
  for (const child of namedChildren(node)) {
    if (child.type === 'gnu_asm_expression') cx.unsupported(child, 'asm register variable', ASM_HINT);
  }
  return { kind: 'declaration', storage, typeOnly: declarators.length === 0 ? type : null, declarators, loc: cx.loc(node) };
}

/** A lone type specifier followed by `;`: declares its tags or enumerators only. */
export function convertTypeOnly(node: CstNode, cx: CstContext): Declaration {
  return { kind: 'declaration', storage: null, typeOnly: convertTypeSpecifier(node, cx), declarators: [], loc: cx.loc(node) };
}

/** `int f(int a) { ... }`. */
export function convertFunctionDef(node: CstNode, cx: CstContext): FunctionDef {
  for (const child of namedChildren(node)) {
    if (child.type === 'declaration') {
      cx.unsupported(child, 'old-style (K&R) function definition', 'write a prototype: int f(int a, long b) { ... }');
    }
  }
  const { storage, type: returns } = convertSpecifiers(node, cx);
  const declared = applyDeclarator(returns, cx.field(node, 'declarator'), cx);
  const type = declared.type;
  if (type.kind !== 'function' || declared.name === null) {
    return cx.parseError(node, 'a function body follows something that is not a function declarator', null);
  }
  const body = cx.field(node, 'body');
  return { kind: 'function', name: declared.name, storage, type, body: convertCompound(body, cx), loc: cx.loc(node), end: cx.endLoc(body) };
}

/** The file-scope items of a translation unit, in order. */
export function convertTranslationUnit(root: CstNode, cx: CstContext): TopLevel[] {
  const items: TopLevel[] = [];
  for (const node of namedChildren(root)) {
    switch (node.type) {
      case 'function_definition':
        items.push(convertFunctionDef(node, cx));
        break;
      case 'declaration':
      case 'type_definition':
        items.push(convertDeclaration(node, cx));
        break;
      case 'expression_statement':
        if (namedChildren(node).length > 0) notADeclaration(node, cx);
        break;
      case 'linkage_specification':
        cx.unsupported(node, '`extern "C"` block', 'irqcheck reads C; remove the linkage specification');
        break;
      default:
        if (TYPE_SPECIFIERS.has(node.type)) items.push(convertTypeOnly(node, cx));
        else notADeclaration(node, cx);
    }
  }
  return items;
}

function notADeclaration(node: CstNode, cx: CstContext): never {
  const call = node.type === 'expression_statement' ? namedChildren(node)[0] : undefined;
  if (call?.type === 'gnu_asm_expression') cx.unsupported(call, 'file-scope inline assembly', ASM_HINT);
  const callee = call?.type === 'call_expression' ? call.childForFieldName('function') : null;
  if (callee?.text === '_Static_assert' || callee?.text === 'static_assert') {
    cx.unsupported(node, 'static assertion', 'remove it: irqcheck does not model the layout such assertions check');
  }
  if (callee?.type === 'identifier') {
    cx.parseError(node, `expected a declaration, found a call of \`${callee.text}\` outside any function`,
      unknownMacroHint(callee.text));
  }
  return cx.parseError(node, 'expected a declaration or function definition', 'statements belong inside a function');
}
