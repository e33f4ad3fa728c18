/**
 * Preprocessing tokens: what the lexer gives the preprocessor and what the
 * preprocessor hands on to the C grammar, each with the place it came from.
 */
import type { SourceLoc } from './ast.js';

/** The lexical class of a preprocessing token (C11 §6.4). */
export type PpTokenKind = 'ident' | 'number' | 'string' | 'char' | 'punct' | 'other';

/**
 * One preprocessing token. Tokens are immutable; macro expansion copies them
 * with a new origin and hide set.
 */
export interface PpToken {
  readonly kind: PpTokenKind;
  readonly text: string;
  /** Where the user wrote it; for a macro body token, the invocation's name. */
  readonly origin: SourceLoc;
  /** First token of a logical line: only such a `#` starts a directive. */
  readonly bol: boolean;
  /** Whitespace preceded it (only `#` stringification cares). */
  readonly space: boolean;
  /** Names of the macros whose expansion produced it: they must not expand again. */
  readonly hide: ReadonlySet<string>;
}

/** The hide set of a token written in a file. */
export const NO_HIDE: ReadonlySet<string> = new Set();

/** Returns `tok` with some fields replaced. */
export function withToken(tok: PpToken, change: Partial<PpToken>): PpToken {
  return { ...tok, ...change };
}
