/**
 * Turning tree-sitter's error recovery (ERROR and MISSING nodes) into one
 * located ParseError: the first problem in the file, named as precisely as
 * the tree allows.
 */
import type { SourceLoc } from './ast.js';
import { ParseError } from './diagnostic.js';
import type { CstNode } from './cst-context.js';
import type { SourceMap } from './source-map.js';
import { unknownMacroHint } from './hints.js';

const DEFAULT_HINT = 'look for a missing `;`, `)` or `}` just before this point, or a macro used before its #define';

/** Throws a ParseError at the first ERROR or MISSING node of the tree, if any. */
export function checkSyntax(root: CstNode, map: SourceMap, sources: ReadonlyMap<string, string>, fallback: SourceLoc): void {
  if (!root.hasError) return;
  const bad = firstError(root);
  if (bad === null) return;
  if (bad.isMissing) throwMissing(bad, root, map, sources, fallback);
  const leaf = firstLeaf(bad);
  const k = map.tokenIndexAt(leaf.startIndex);
  const tok = map.token(k);
  const atEnd = leaf.startIndex >= map.text.length || tok === undefined;
  const next = map.token(k + 1);
  const what = atEnd ? 'unexpected end of input' : `unexpected \`${tok.text}\`${next === undefined ? ' at end of input' : ` before \`${next.text}\``}`;
  const hint = macroHint(root, map, k - 1) ?? DEFAULT_HINT;
  throw new ParseError('parse-error', what, atEnd ? endLoc(map, sources, fallback) : tok.origin, hint, tok?.text.length ?? 1);
}

/** The first ERROR or MISSING node in document order. */
function firstError(node: CstNode): CstNode | null {
  if (node.isError || node.isMissing) return node;
  for (const child of node.children) {
    if (child !== null && (child.hasError || child.isMissing)) {
      const found = firstError(child);
      if (found !== null) return found;
    }
  }
  return null;
}

function firstLeaf(node: CstNode): CstNode {
  let n = node;
  while (n.childCount > 0 && n.firstChild !== null) n = n.firstChild;
  return n;
}

/** `expected ';' before '{'`, located just after the token it should follow. */
function throwMissing(node: CstNode, root: CstNode, map: SourceMap, sources: ReadonlyMap<string, string>, fallback: SourceLoc): never {
  // tree-sitter stands a MISSING identifier in for any missing operand.
  const expected = node.type === 'identifier' ? 'an expression' : node.isNamed ? `a ${node.type.replace(/_/g, ' ')}` : `\`${node.type}\``;
  const k = map.tokenIndexAt(node.startIndex - 1);
  const prev = map.token(k);
  const next = map.token(k + 1);
  const where = next === undefined ? 'at end of input' : `before \`${next.text}\``;
  const loc = prev === undefined ? next?.origin ?? fallback : afterToken(prev.origin, prev.text, sources) ?? next?.origin ?? prev.origin;
  throw new ParseError('parse-error', `expected ${expected} ${where}`, loc, macroHint(root, map, k) ?? DEFAULT_HINT);
}

/**
 * The place right after a token, when the token is spelled there in the
 * file (not when it came out of a macro, whose tokens sit at the invocation).
 */
function afterToken(origin: SourceLoc, text: string, sources: ReadonlyMap<string, string>): SourceLoc | null {
  const line = sources.get(origin.file)?.split('\n')[origin.line - 1];
  if (line === undefined || line.substr(origin.col - 1, text.length) !== text) return null;
  return { ...origin, col: origin.col + text.length };
}

function endLoc(map: SourceMap, sources: ReadonlyMap<string, string>, fallback: SourceLoc): SourceLoc {
  const last = map.token(map.tokenCount - 1);
  return last === undefined ? fallback : afterToken(last.origin, last.text, sources) ?? last.origin;
}

/**
 * When the token at `k` closes a call `foo(...)` and the parse fails right
 * after it, `foo` is most likely a statement-shaped macro (an iterator like
 * `for_each_cpu(cpu, mask) { ... }`) that was never defined.
 */
function macroHint(root: CstNode, map: SourceMap, k: number): string | null {
  const tok = map.token(k);
  if (tok?.text !== ')') return null;
  const start = map.tokenStart(k);
  let node: CstNode | null = root.descendantForIndex(start, start + 1);
  while (node !== null && node.endIndex === start + 1 && node.type !== 'call_expression') node = node.parent;
  const callee = node?.type === 'call_expression' ? node.childForFieldName('function') : null;
  if (callee === null || callee === undefined || callee.type !== 'identifier') return null;
  return unknownMacroHint(callee.text);
}
