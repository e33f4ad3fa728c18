/**
 * A generic walk over the AST's plain objects, for the compiler's whole-body
 * questions (which names are mentioned, whether a label exists) that do not
 * need the typed statement and expression structure.
 */

/** Calls `visit` on every node with a `kind` inside `node`; stops early when it returns true. Returns whether it stopped. */
export function walkAst(node: unknown, visit: (kind: unknown, record: Readonly<Record<string, unknown>>) => boolean | void): boolean {
  if (Array.isArray(node)) {
    for (const item of node) if (walkAst(item, visit)) return true;
    return false;
  }
  if (node === null || typeof node !== 'object') return false;
  const record = node as Readonly<Record<string, unknown>>;
  if ('kind' in record && visit(record.kind, record) === true) return true;
  for (const value of Object.values(record)) if (typeof value === 'object' && walkAst(value, visit)) return true;
  return false;
}
