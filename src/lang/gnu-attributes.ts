/**
 * GNU `__attribute__((...))` removal. Attributes change nothing irqcheck
 * models (alignment, sections, `fallthrough`, `unused`), and tree-sitter's C
 * grammar accepts them in fewer places than GCC does (`__attribute__
 * ((fallthrough));` as a statement), so they are dropped before parsing.
 */
import type { PpToken } from './pp-token.js';

const ATTRIBUTE_KEYWORDS: ReadonlySet<string> = new Set(['__attribute__', '__attribute']);

/** The tokens without any `__attribute__ (( ... ))`; the input is returned when there is none. */
export function stripAttributes(tokens: readonly PpToken[]): readonly PpToken[] {
  if (!tokens.some((t) => t.kind === 'ident' && ATTRIBUTE_KEYWORDS.has(t.text))) return tokens;
  const out: PpToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as PpToken;
    if (t.kind !== 'ident' || !ATTRIBUTE_KEYWORDS.has(t.text) || tokens[i + 1]?.text !== '(') {
      out.push(t);
      continue;
    }
    // Skip to the `)` that closes the attribute's outer parenthesis.
    let depth = 0;
    let j = i + 1;
    for (; j < tokens.length; j++) {
      const text = (tokens[j] as PpToken).text;
      if (text === '(') depth++;
      else if (text === ')' && --depth === 0) break;
    }
    i = j;
  }
  return out;
}
