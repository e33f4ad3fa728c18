/**
 * The preprocessed text handed to the C grammar and the way back from any
 * offset in it to where the user wrote the token.
 */
import type { SourceLoc } from './ast.js';
import type { PpToken } from './pp-token.js';

/**
 * Tokens joined by single spaces, with a newline wherever the origin line
 * changes so the text stays readable when debugging. Offsets are UTF-16
 * code units, the unit web-tree-sitter reports for JavaScript strings.
 */
export class SourceMap {
  /** The text to parse. */
  readonly text: string;
  private readonly starts: Int32Array;
  private readonly tokens: readonly PpToken[];

  constructor(tokens: readonly PpToken[]) {
    this.tokens = tokens;
    this.starts = new Int32Array(tokens.length);
    const parts: string[] = [];
    let offset = 0;
    tokens.forEach((t, k) => {
      if (k > 0) {
        const prev = tokens[k - 1] as PpToken;
        const sameLine = prev.origin.file === t.origin.file && prev.origin.line === t.origin.line;
        parts.push(sameLine ? ' ' : '\n');
        offset++;
      }
      this.starts[k] = offset;
      parts.push(t.text);
      offset += t.text.length;
    });
    this.text = parts.join('');
  }

  /** How many tokens the text holds. */
  get tokenCount(): number {
    return this.tokens.length;
  }

  /**
   * The index of the token covering `offset`, or of the last token before
   * it when `offset` falls between tokens; -1 before the first token.
   */
  tokenIndexAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] as number) <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The token at `index` (0 ≤ index < tokenCount). */
  token(index: number): PpToken | undefined {
    return this.tokens[index];
  }

  /** The offset in `text` where the token at `index` starts. */
  tokenStart(index: number): number {
    return this.starts[index] ?? this.text.length;
  }

  /** Where the token at `offset` was written (the first token for offsets before it). */
  locate(offset: number, fallback: SourceLoc): SourceLoc {
    const k = this.tokenIndexAt(offset);
    return this.tokens[Math.max(0, k)]?.origin ?? fallback;
  }
}
