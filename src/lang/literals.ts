/**
 * The values of C literals as written: integer constants with their
 * suffixes, character constants and string literals with escapes decoded.
 * Shared by `#if` evaluation and the AST conversion.
 */

/** What an integer constant's spelling says. */
export type IntegerLiteral =
  | { readonly kind: 'int'; readonly value: bigint; readonly unsigned: boolean; readonly long: 0 | 1 | 2 }
  | { readonly kind: 'float' }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Reads `42`, `0x2aUL`, `052`, `0b101`, `10ull`. A floating constant gives
 * `float` (irqcheck rejects it with its own message); anything else `invalid`.
 */
export function parseIntegerLiteral(spelling: string): IntegerLiteral {
  const text = spelling.replace(/'/g, '');
  const hex = /^0[xX]/.test(text);
  if (hex ? /[.pP]/.test(text) : /[.eE]/.test(text) && !/^0[bB]/.test(text)) return { kind: 'float' };
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([uUlL]*)$/.exec(text);
  if (m === null) {
    if (/^[0-9.]+[fF]$/.test(text)) return { kind: 'float' };
    return { kind: 'invalid', reason: `invalid integer constant \`${spelling}\`` };
  }
  const digits = m[1] as string;
  const suffix = (m[2] as string).toLowerCase();
  const longs = suffix.replace('u', '');
  const unsigned = suffix.includes('u');
  if (!/^(|l|ll)$/.test(longs) || suffix.split('u').length > 2 || /l+u+l/.test(suffix)) {
    return { kind: 'invalid', reason: `invalid suffix \`${m[2] ?? ''}\` on integer constant` };
  }
  let value: bigint;
  if (/^0[bB]/.test(digits)) value = BigInt(`0b${digits.slice(2)}`);
  else if (hex) value = BigInt(digits);
  else if (digits.length > 1 && digits.startsWith('0')) {
    if (/[89]/.test(digits)) return { kind: 'invalid', reason: `invalid digit in octal constant \`${spelling}\`` };
    value = BigInt(`0o${digits.slice(1)}`);
  } else value = BigInt(digits);
  if (value >= 1n << 64n) return { kind: 'invalid', reason: `integer constant \`${spelling}\` is too large` };
  return { kind: 'int', value, unsigned, long: longs.length as 0 | 1 | 2 };
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63,
};

/**
 * Decodes the escapes in the inside of a literal (without quotes) to code
 * points. Returns a message for a malformed escape instead of the values.
 */
export function decodeEscapes(inside: string): number[] | string {
  const out: number[] = [];
  for (let i = 0; i < inside.length; ) {
    const c = inside.codePointAt(i) as number;
    if (c !== 92) {
      out.push(c);
      i += c > 0xffff ? 2 : 1;
      continue;
    }
    const e = inside[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out.push(simple);
      i += 2;
      continue;
    }
    const m = /^(?:([0-7]{1,3})|x([0-9a-fA-F]+)|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/.exec(inside.slice(i + 1));
    if (m === null) return `unknown escape sequence \`\\${e}\``;
    const [all, oct, hexDigits, u4, u8] = m;
    const value = oct !== undefined ? parseInt(oct, 8) : parseInt((hexDigits ?? u4 ?? u8) as string, 16);
    if (!(value <= 0x10ffff)) return `escape sequence \`\\${all}\` out of range`;
    out.push(value);
    i += 1 + all.length;
  }
  return out;
}

/** The prefix (`L`, `u`, `U`, `u8` or none) and inside of a quoted literal. */
export function splitQuoted(spelling: string): { prefix: string; inside: string } {
  const q = spelling.search(/["']/);
  return { prefix: spelling.slice(0, q), inside: spelling.slice(q + 1, -1) };
}

/**
 * The value of a character constant. A plain `char` is unsigned here, as in
 * the kernel since 6.2 (`-funsigned-char`), so `'\xff'` is 255; a
 * multi-character constant packs bytes big-endian as GCC does.
 */
export function charLiteralValue(spelling: string): number | string {
  const { prefix, inside } = splitQuoted(spelling);
  const codes = decodeEscapes(inside);
  if (typeof codes === 'string') return codes;
  if (codes.length === 0) return 'empty character constant';
  if (prefix !== '' || codes.length === 1) return codes[0] as number;
  return codes.reduce((acc, c) => ((acc << 8) | (c & 0xff)) | 0, 0);
}
