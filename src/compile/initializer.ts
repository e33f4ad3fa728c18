/**
 * Initializers flattened to (slot offset, scalar type, expression) triples,
 * following C's rules for braces, positional items and designators. Globals
 * evaluate the expressions at compile time; locals compile them to stores.
 */
import type { Expr, Initializer, SourceLoc } from '../lang/index.js';
import { ModelError } from '../lang/index.js';
import { slotsOf, typeName, type CType } from './ctype.js';
import type { Scope } from './scope.js';

export interface ScalarInit {
  /** Offset from the start of the object, in slots. */
  readonly offset: number;
  readonly type: CType;
  readonly expr: Expr;
}

/** Flattens `init` for an object of type `t`. An array of unknown length takes it from the list. */
export function flattenInit(t: CType, init: Initializer, scope: Scope): { readonly type: CType; readonly items: ScalarInit[] } {
  const items: ScalarInit[] = [];
  let type = t;
  if (t.kind === 'array' && t.length === 0 && init.kind === 'list') {
    let max = 0;
    let next = 0;
    for (const item of init.items) {
      const d = item.designators[0];
      next = d?.kind === 'index' ? scope.evalConst(d.index) + 1 : next + 1;
      max = Math.max(max, next);
    }
    type = { kind: 'array', of: t.of, length: max };
  }
  walk(type, 0, init, items, scope);
  return { type, items };
}

function walk(t: CType, offset: number, init: Initializer, out: ScalarInit[], scope: Scope): void {
  if (init.kind === 'expr') {
    if (t.kind === 'struct' || t.kind === 'array') {
      throw new ModelError('bad-initializer', `a ${typeName(t)} needs a braced initializer`, init.loc, 'write { ... } around the values');
    }
    out.push({ offset, type: t, expr: init.expr });
    return;
  }
  if (t.kind !== 'struct' && t.kind !== 'array') {
    // `int x = { 3 };` is valid C.
    const first = init.items[0];
    if (first !== undefined) walk(t, offset, first.value, out, scope);
    return;
  }
  let position = 0;
  for (const item of init.items) {
    let target: CType = t;
    let at = offset;
    if (item.designators.length > 0) {
      for (const [i, d] of item.designators.entries()) {
        const member = memberAt(target, d.kind === 'field' ? d.name : scope.evalConst(d.index), d.loc);
        if (i === 0) position = member.index;
        target = member.type;
        at += member.offset;
      }
    } else {
      const member = memberAt(t, position, init.loc);
      target = member.type;
      at = offset + member.offset;
    }
    walk(target, at, item.value, out, scope);
    position++;
  }
}

function memberAt(t: CType, key: string | number, loc: SourceLoc): { index: number; offset: number; type: CType } {
  if (t.kind === 'array') {
    if (typeof key !== 'number') throw new ModelError('bad-initializer', `.${key} in an array initializer`, loc, null);
    if (key < 0 || key >= t.length) throw new ModelError('bad-initializer', `index ${key} is outside ${typeName(t)}`, loc, null);
    return { index: key, offset: key * slotsOf(t.of), type: t.of };
  }
  if (t.kind === 'struct' && t.fields !== null) {
    const fields = t.fields;
    const index = typeof key === 'number' ? key : fields.findIndex((f) => f.name === key);
    const field = fields[index];
    if (field === undefined) {
      throw new ModelError('bad-initializer', typeof key === 'number' ? `too many values for ${typeName(t)}` : `${typeName(t)} has no member '${key}'`, loc, null);
    }
    return { index, offset: field.offset, type: field.type };
  }
  throw new ModelError('bad-initializer', `cannot initialize a ${typeName(t)} with a list`, loc, null);
}
