/**
 * What every CST → AST conversion function shares: locations through the
 * source map, required-child access, and the errors for constructs irqcheck
 * does not take.
 */
import type { Node } from 'web-tree-sitter';
import type { SourceLoc } from './ast.js';
import { ParseError, UnsupportedError } from './diagnostic.js';
import type { SourceMap } from './source-map.js';

/** A tree-sitter node of the C grammar. */
export type CstNode = Node;

/** The conversion's context: the way back to the user's files. */
export class CstContext {
  /** How deep the expression being converted is nested. */
  expressionDepth = 0;

  constructor(
    private readonly map: SourceMap,
    private readonly fallback: SourceLoc,
  ) {}

  /** Where the node's first token was written. */
  loc(node: CstNode): SourceLoc {
    return this.map.locate(node.startIndex, this.fallback);
  }

  /** Where `node` ends (its last character). */
  endLoc(node: CstNode): SourceLoc {
    return this.map.locate(Math.max(node.startIndex, node.endIndex - 1), this.fallback);
  }

  /** A construct irqcheck does not model: throws an UnsupportedError at `node`. */
  unsupported(node: CstNode, message: string, hint: string): never {
    throw new UnsupportedError('unsupported', message, this.loc(node), hint, this.width(node));
  }

  /** Text that parsed but is not C irqcheck can read: throws a ParseError at `node`. */
  parseError(node: CstNode, message: string, hint: string | null): never {
    throw new ParseError('parse-error', message, this.loc(node), hint, this.width(node));
  }

  /** The child in `field`, which the grammar guarantees for well-formed trees. */
  field(node: CstNode, name: string): CstNode {
    const child = node.childForFieldName(name);
    if (child === null) {
      // The grammar requires this child: a missing one is a bug in irqcheck, not the model.
      throw new Error(`irqcheck bug: ${node.type} without ${name} at ${JSON.stringify(this.loc(node))}`);
    }
    return child;
  }

  /** How wide the caret under `node` should be: its first token. */
  private width(node: CstNode): number {
    return this.map.token(this.map.tokenIndexAt(node.startIndex))?.text.length ?? 1;
  }
}

/** The named children of `node`, in order. */
export function namedChildren(node: CstNode): CstNode[] {
  return node.namedChildren.filter((c): c is CstNode => c !== null && c.type !== 'comment');
}

/** All children of `node`, named or not, in order. */
export function allChildren(node: CstNode): CstNode[] {
  return node.children.filter((c): c is CstNode => c !== null);
}

/** The children of `node` in field `name` (a field may repeat, as `declarator` does). */
export function fieldChildren(node: CstNode, name: string): CstNode[] {
  return node.childrenForFieldName(name).filter((c): c is CstNode => c !== null);
}
