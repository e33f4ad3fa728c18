/**
 * Types: declaration specifiers and declarators, flattened into TypeExpr.
 *
 * C writes a type inside out (`int (*fn)(void *)`: fn is a pointer to a
 * function taking void * and returning int); tree-sitter nests declarators
 * the same way, so the base type is wrapped from the outermost declarator
 * inwards until the name is reached.
 */
import type { Enumerator, FieldDecl, Param, StorageClass, TypeExpr } from './ast.js';
import { convertExpr } from './convert-expressions.js';
import { type CstContext, type CstNode, allChildren, namedChildren } from './cst-context.js';
import { FLOAT_HINT, unknownMacroHint } from './hints.js';


/** A declaration's storage class and base type. */
export interface Specifiers {
  readonly storage: StorageClass;
  readonly type: TypeExpr;
}

/**
 * Reads the specifiers of a declaration-like node (`declaration`,
 * `function_definition`, `field_declaration`, `parameter_declaration`,
 * `type_definition`, `type_descriptor`). Qualifiers, `inline`, `register`
 * and attributes are dropped: they do not change what the model computes.
 */
export function convertSpecifiers(node: CstNode, cx: CstContext): Specifiers {
  let storage: StorageClass = node.type === 'type_definition' ? 'typedef' : null;
  for (const child of namedChildren(node)) {
    if (child.type !== 'storage_class_specifier') continue;
    if (child.text === 'static' || child.text === 'extern') storage = child.text;
  }
  return { storage, type: convertTypeSpecifier(cx.field(node, 'type'), cx) };
}

/** A type specifier: primitive, sized (`unsigned long`), typedef name, struct, union or enum. */
export function convertTypeSpecifier(node: CstNode, cx: CstContext): TypeExpr {
  const loc = cx.loc(node);
  switch (node.type) {
    case 'primitive_type':
      if (node.text === 'float' || node.text === 'double') cx.unsupported(node, `type \`${node.text}\``, FLOAT_HINT);
      return { kind: 'base', name: node.text, loc };
    case 'type_identifier':
      return { kind: 'base', name: node.text === '_Bool' ? 'bool' : node.text, loc };
    case 'sized_type_specifier':
      return { kind: 'base', name: sizedTypeName(node, cx), loc };
    case 'struct_specifier':
    case 'union_specifier': {
      const tag = node.childForFieldName('name')?.text ?? null;
      const body = node.childForFieldName('body');
      const fields = body === null ? null : convertFields(body, cx);
      return { kind: 'struct', union: node.type === 'union_specifier', tag, fields, loc };
    }
    case 'enum_specifier': {
      const tag = node.childForFieldName('name')?.text ?? null;
      const body = node.childForFieldName('body');
      const enumerators = body === null ? null : namedChildren(body).map((e) => convertEnumerator(e, cx));
      return { kind: 'enum', tag, enumerators, loc };
    }
    case 'macro_type_specifier': {
      const name = cx.field(node, 'name').text;
      if (/^(__)?typeof(__)?$|^typeof_unqual$/.test(name)) {
        cx.unsupported(node, `\`${name}(...)\``, 'write the type out');
      }
      return cx.parseError(node, `\`${name}(...)\` is used as a type`,
        unknownMacroHint(name));
    }
  }
  return cx.parseError(node, `unexpected \`${node.text}\` where a type was expected`, null);
}

/**
 * `unsigned` → `unsigned int`, `long int` → `long`, `signed char` stays,
 * `short int` → `short`, `unsigned long long int` → `unsigned long long`.
 */
function sizedTypeName(node: CstNode, cx: CstContext): string {
  let unsigned = false;
  let signed = false;
  let longs = 0;
  let short = false;
  let base = 'int';
  for (const child of allChildren(node)) {
    switch (child.type) {
      case 'unsigned': unsigned = true; break;
      case 'signed': signed = true; break;
      case 'long': longs++; break;
      case 'short': short = true; break;
      case 'primitive_type':
      case 'type_identifier':
        base = child.text;
        break;
    }
  }
  if (base === 'double' || base === 'float') cx.unsupported(node, `type \`${node.text}\``, FLOAT_HINT);
  if (base !== 'int' && base !== 'char') {
    cx.parseError(node, `\`${node.text}\` is not a C type`, 'signed, unsigned, short and long apply to int and char');
  }
  const sign = unsigned ? 'unsigned ' : '';
  if (base === 'char') return unsigned ? 'unsigned char' : signed ? 'signed char' : 'char';
  if (short) return `${sign}short`;
  if (longs >= 2) return `${sign}long long`;
  if (longs === 1) return `${sign}long`;
  return `${sign}int`;
}

/** A name and its type, from a declarator applied to a base type. */
export interface Declared {
  /** null for an abstract declarator (`int *` in a cast, an unnamed parameter). */
  readonly name: string | null;
  readonly type: TypeExpr;
}

/** Wraps `base` in the pointers, arrays and functions `decl` describes. */
export function applyDeclarator(base: TypeExpr, decl: CstNode | null, cx: CstContext): Declared {
  if (decl === null) return { name: null, type: base };
  const loc = cx.loc(decl);
  switch (decl.type) {
    case 'identifier':
    case 'field_identifier':
    case 'type_identifier':
    case 'primitive_type':
      return { name: decl.text, type: base };
    case 'pointer_declarator':
    case 'abstract_pointer_declarator':
      return applyDeclarator({ kind: 'pointer', to: base, loc }, decl.childForFieldName('declarator'), cx);
    case 'array_declarator':
    case 'abstract_array_declarator': {
      const size = decl.childForFieldName('size');
      if (size !== null && size.type === '*') cx.unsupported(size, 'variable-length array', 'give the array a constant length');
      const length = size === null ? null : convertExpr(size, cx);
      return applyDeclarator({ kind: 'array', of: base, length, loc }, decl.childForFieldName('declarator'), cx);
    }
    case 'function_declarator':
    case 'abstract_function_declarator': {
      for (const child of namedChildren(decl)) {
        if (child.type === 'gnu_asm_expression') cx.unsupported(child, 'asm label on a declaration', 'remove the asm(...) label');
      }
      const { params, variadic } = convertParams(cx.field(decl, 'parameters'), cx);
      const fn: TypeExpr = { kind: 'function', returns: base, params, variadic, loc };
      return applyDeclarator(fn, decl.childForFieldName('declarator'), cx);
    }
    case 'parenthesized_declarator':
    case 'abstract_parenthesized_declarator':
    case 'attributed_declarator':
      return applyDeclarator(base, namedChildren(decl).find((c) => c.type !== 'ms_call_modifier') ?? null, cx);
  }
  return cx.parseError(decl, `unexpected \`${decl.text}\` in a declarator`, null);
}

/** `(int a, void *p, ...)`; `(void)` and `()` give no parameters. */
export function convertParams(list: CstNode, cx: CstContext): { params: Param[]; variadic: boolean } {
  const items = namedChildren(list);
  const only = items[0];
  if (items.length === 1 && only?.type === 'parameter_declaration' && only.childForFieldName('declarator') === null &&
    only.childForFieldName('type')?.text === 'void') {
    return { params: [], variadic: false };
  }
  const params: Param[] = [];
  let variadic = false;
  for (const item of items) {
    if (item.type === 'variadic_parameter') {
      variadic = true;
    } else if (item.type === 'parameter_declaration') {
      const { type } = convertSpecifiers(item, cx);
      const declared = applyDeclarator(type, item.childForFieldName('declarator'), cx);
      params.push({ name: declared.name, type: declared.type, loc: cx.loc(item) });
    } else if (item.type === 'identifier') {
      cx.unsupported(item, 'old-style (K&R) parameter list', 'write a prototype: int f(int a, long b)');
    } else {
      cx.parseError(item, `unexpected \`${item.text}\` in a parameter list`, null);
    }
  }
  return { params, variadic };
}

/** The type in a cast, `sizeof(type)` or a compound literal. */
export function convertTypeDescriptor(node: CstNode, cx: CstContext): TypeExpr {
  const { type } = convertSpecifiers(node, cx);
  return applyDeclarator(type, node.childForFieldName('declarator'), cx).type;
}

/** The members of a struct or union body. Unnamed bit-fields (padding) are left out. */
function convertFields(list: CstNode, cx: CstContext): FieldDecl[] {
  const fields: FieldDecl[] = [];
  for (const decl of namedChildren(list)) {
    if (decl.type !== 'field_declaration') {
      cx.parseError(decl, `unexpected \`${decl.text}\` in a struct body`, null);
    }
    const { type } = convertSpecifiers(decl, cx);
    const children = allChildren(decl);
    let named = 0;
    children.forEach((child, k) => {
      if (decl.fieldNameForChild(k) !== 'declarator') return;
      named++;
      const declared = applyDeclarator(type, child, cx);
      const next = children[k + 1];
      const bits = next?.type === 'bitfield_clause' ? convertExpr(namedChildren(next)[0] ?? next, cx) : null;
      fields.push({ name: declared.name ?? '', type: declared.type, bits, loc: cx.loc(child) });
    });
    const anonymous = type.kind === 'struct' && type.fields !== null;
    if (named === 0 && anonymous) {
      cx.unsupported(decl, `anonymous ${type.union ? 'union' : 'struct'} member`, 'give the member a name');
    }
  }
  return fields;
}

function convertEnumerator(node: CstNode, cx: CstContext): Enumerator {
  const value = node.childForFieldName('value');
  return { name: cx.field(node, 'name').text, value: value === null ? null : convertExpr(value, cx), loc: cx.loc(node) };
}
