/**
 * The preprocessor's input: a stack of token buffers. A file's tokens are a
 * frame; `#include` pushes the included file; a macro expansion pushes its
 * result so it is rescanned together with the tokens that follow (C11
 * §6.10.3.4).
 */
import type { PpToken } from './pp-token.js';

interface Frame<F> {
  readonly tokens: readonly PpToken[];
  pos: number;
  /** Non-null for a file's own tokens; directives are only read from these. */
  readonly file: F | null;
}

/** A stack of token buffers read front to back; `F` describes a file frame. */
export class TokenStack<F> {
  private readonly frames: Frame<F>[] = [];

  /** Called when a file frame is exhausted and leaves the stack. */
  constructor(private readonly onFileEnd: (file: F) => void = () => {}) {}

  /** Pushes a file's tokens; they are read before anything below. */
  pushFile(tokens: readonly PpToken[], file: F): void {
    this.frames.push({ tokens, pos: 0, file });
  }

  /** Pushes tokens to be read next (a macro expansion's result). */
  pushTokens(tokens: readonly PpToken[]): void {
    if (tokens.length > 0) this.frames.push({ tokens, pos: 0, file: null });
  }

  /** The next token, across frames, without consuming it. */
  peek(): PpToken | undefined {
    const frame = this.top();
    return frame?.tokens[frame.pos];
  }

  /** Consumes and returns the next token, across frames. */
  next(): PpToken | undefined {
    const frame = this.top();
    if (frame === undefined) return undefined;
    return frame.tokens[frame.pos++];
  }

  /** The file of the frame the last token came from, if it was a file frame. */
  currentFile(): F | null {
    return this.frames[this.frames.length - 1]?.file ?? null;
  }

  /** Consumes the rest of the current logical line of the top frame. */
  restOfLine(): PpToken[] {
    const frame = this.frames[this.frames.length - 1];
    const out: PpToken[] = [];
    if (frame === undefined) return out;
    for (;;) {
      const t = frame.tokens[frame.pos];
      if (t === undefined || t.bol) return out;
      out.push(t);
      frame.pos++;
    }
  }

  /**
   * Consumes tokens of the top frame up to and including the next `#` that
   * begins a line, and returns it; undefined at the end of the frame.
   */
  nextDirectiveInFrame(): PpToken | undefined {
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined) return undefined;
    for (;;) {
      const t = frame.tokens[frame.pos];
      if (t === undefined) return undefined;
      frame.pos++;
      if (t.bol && t.text === '#' && t.kind === 'punct') return t;
    }
  }

  /** Pops exhausted frames and returns the top one with tokens left. */
  private top(): Frame<F> | undefined {
    for (;;) {
      const frame = this.frames[this.frames.length - 1];
      if (frame === undefined || frame.pos < frame.tokens.length) return frame;
      this.frames.pop();
      if (frame.file !== null) this.onFileEnd(frame.file);
    }
  }
}
