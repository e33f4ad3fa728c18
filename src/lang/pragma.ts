/**
 * `#pragma irqcheck cpus 4 smt 2 nmis 1`: the model's configuration, written
 * in the file. Keys come in any order and any subset; several pragma lines
 * merge, a later value for a key replacing an earlier one.
 */
import type { ModelPragmas, SourceLoc } from './ast.js';
import { ParseError } from './diagnostic.js';
import type { PpToken } from './pp-token.js';

type PragmaKey = 'cpus' | 'smt' | 'nmis';

/** Each key and the least value it accepts. */
const MIN_VALUE: Readonly<Record<PragmaKey, number>> = { cpus: 1, smt: 1, nmis: 0 };

const HINT =
  'write #pragma irqcheck followed by any of: cpus N (logical CPUs, N >= 1), ' +
  'smt N (threads per core, N >= 1), nmis N (external NMIs, N >= 0)';

function isKey(word: string): word is PragmaKey {
  return Object.hasOwn(MIN_VALUE, word);
}

/**
 * Reads the tokens after `#pragma irqcheck` and merges them over `before`.
 * `at` locates the pragma (kept as the configuration's location when it is
 * the first). Throws a ParseError at an unknown key or a bad value.
 */
export function parseIrqcheckPragma(words: readonly PpToken[], at: SourceLoc, before: ModelPragmas): ModelPragmas {
  if (words.length === 0) {
    throw new ParseError('bad-pragma', '#pragma irqcheck with no settings', at, HINT, 7);
  }
  const merged: { cpus?: number; smt?: number; nmis?: number; loc?: SourceLoc } = { ...before };
  merged.loc = before.loc ?? at;
  for (let i = 0; i < words.length; i += 2) {
    const key = words[i] as PpToken;
    if (!isKey(key.text)) {
      throw new ParseError('bad-pragma', `unknown irqcheck pragma key \`${key.text}\``, key.origin, HINT,
        key.text.length);
    }
    const value = words[i + 1];
    const min = MIN_VALUE[key.text];
    if (value === undefined) {
      throw new ParseError('bad-pragma', `irqcheck pragma key \`${key.text}\` has no value`, key.origin, HINT,
        key.text.length);
    }
    const n = /^[0-9]+$/.test(value.text) ? Number(value.text) : NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      const wanted = min === 0 ? 'a non-negative integer' : 'a positive integer';
      const signed = (value.text === '-' || value.text === '+') && words[i + 2] !== undefined;
      const shown = signed ? value.text + (words[i + 2] as PpToken).text : value.text;
      throw new ParseError('bad-pragma', `irqcheck pragma \`${key.text}\` needs ${wanted}, not \`${shown}\``,
        value.origin, HINT, shown.length);
    }
    merged[key.text] = n;
  }
  return merged;
}
