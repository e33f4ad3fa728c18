import { describe, expect, test } from 'vitest';
import { ParseError, type SourceLoc } from '../../src/lang/index.js';
import { preprocess, type PreprocessOptions } from '../../src/lang/preprocess.js';

/** The output tokens' spellings joined by single spaces. */
function expand(src: string, options: PreprocessOptions = {}): string {
  return preprocess('m.c', src, options).tokens.map((t) => t.text).join(' ');
}

/** The origin of the n-th output token spelled `text`. */
function originOf(src: string, text: string, options: PreprocessOptions = {}, nth = 0): SourceLoc {
  const found = preprocess('m.c', src, options).tokens.filter((t) => t.text === text)[nth];
  if (found === undefined) throw new Error(`no token ${text}`);
  return found.origin;
}

/** The diagnostic of the ParseError `run` throws. */
function diagnosticOf(run: () => unknown): { message: string; loc: SourceLoc | null; hint: string | null } {
  try {
    run();
  } catch (e) {
    if (e instanceof ParseError) return e.diagnostic;
    throw e;
  }
  throw new Error('expected a ParseError');
}

const files = (table: Record<string, string>) => (p: string): string => {
  const text = table[p];
  if (text === undefined) throw new Error(`ENOENT: ${p}`);
  return text;
};

describe('tokens and comments', () => {
  test('comments become whitespace and splices join lines', () => {
    expect(expand('int /* a\n b */ x; // tail\ny = 1 + \\\n 2;')).toBe('int x ; y = 1 + 2 ;');
  });

  test('a token after a line splice keeps its own line and column', () => {
    expect(originOf('a = 1 + \\\n    two;', 'two')).toEqual({ file: 'm.c', line: 2, col: 5 });
  });

  test('literals with prefixes and pp-numbers are single tokens', () => {
    expect(preprocess('m.c', 'x = L"a b" + 0x1fUL + 1e+5 + \'\\\'\';').tokens.map((t) => t.text))
      .toEqual(['x', '=', 'L"a b"', '+', '0x1fUL', '+', '1e+5', '+', "'\\''", ';']);
  });

  test('an unterminated comment is an error at its start', () => {
    expect(diagnosticOf(() => preprocess('m.c', 'int x;\n  /* open'))).toMatchObject({
      message: 'unterminated comment',
      loc: { file: 'm.c', line: 2, col: 3 },
    });
  });

  test('an unterminated string is an error where it opens', () => {
    expect(diagnosticOf(() => preprocess('m.c', 'char *s = "abc;\n'))).toMatchObject({
      message: 'missing terminating " character',
      loc: { line: 1, col: 11 },
    });
  });

  test('a stray # outside a directive is an error', () => {
    expect(diagnosticOf(() => preprocess('m.c', 'int x = 1 # 2;'))).toMatchObject({
      message: 'stray `#` in program',
      loc: { line: 1, col: 11 },
    });
  });
});

describe('macros', () => {
  test('object-like macros expand and rescan', () => {
    expect(expand('#define N 4\n#define M (N * 2)\nint a[M];')).toBe('int a [ ( 4 * 2 ) ] ;');
  });

  test('function-like macros substitute fully expanded arguments', () => {
    expect(expand('#define SQ(x) ((x) * (x))\n#define ONE 1\nr = SQ(ONE + y);'))
      .toBe('r = ( ( 1 + y ) * ( 1 + y ) ) ;');
  });

  test('a function-like macro name without ( is left alone', () => {
    expect(expand('#define f(x) x\nint f;')).toBe('int f ;');
  });

  test('the result is rescanned together with the following tokens', () => {
    expect(expand('#define g f\n#define f(x) [x]\ng(1)')).toBe('[ 1 ]');
  });

  test('a macro does not expand inside its own expansion', () => {
    expect(expand('#define foo foo + 1\nfoo')).toBe('foo + 1');
    expect(expand('#define a b\n#define b a\na b')).toBe('a b');
    expect(expand('#define f(x) f(x + 1)\nf(f(0))')).toBe('f ( f ( 0 + 1 ) + 1 )');
  });

  test('# stringifies an argument, escaping quotes and backslashes', () => {
    expect(expand('#define S(x) #x\nS(a   +  "q\\n")')).toBe('"a + \\"q\\\\n\\""');
  });

  test('## pastes tokens, and an empty argument pastes to nothing', () => {
    expect(expand('#define CAT(a, b) a ## b\nCAT(x, 1) CAT(, y) CAT(z, ) CAT(-, =)')).toBe('x1 y z -=');
  });

  test('a paste that makes no token is an error at the invocation', () => {
    expect(diagnosticOf(() => preprocess('m.c', '#define CAT(a, b) a ## b\n  CAT(+, /)'))).toMatchObject({
      message: 'pasting `+` and `/` in macro `CAT` does not give a valid token',
      loc: { line: 2, col: 3 },
    });
  });

  test('__VA_ARGS__, GNU named variadics and the , ## __VA_ARGS__ comma', () => {
    const src = [
      '#define pr(fmt, ...) printk(fmt, ##__VA_ARGS__)',
      '#define all(...) f(__VA_ARGS__)',
      '#define named(first, rest...) g(first, rest)',
      'pr("a"); pr("b", 1, 2); all(1, (2, 3)); named(1, 2, 3);',
    ].join('\n');
    expect(expand(src)).toBe('printk ( "a" ) ; printk ( "b" , 1 , 2 ) ; f ( 1 , ( 2 , 3 ) ) ; g ( 1 , 2 , 3 ) ;');
  });

  test('#undef forgets a macro', () => {
    expect(expand('#define X 1\nX\n#undef X\nX')).toBe('1 X');
  });

  test('the wrong number of arguments is an error naming the macro', () => {
    expect(diagnosticOf(() => preprocess('m.c', '#define two(a, b) a\n\nx = two(1);'))).toMatchObject({
      message: 'macro `two` takes 2 argument(s) but was given 1',
      loc: { line: 3, col: 5 },
      hint: 'it is defined at m.c:1',
    });
  });

  test('an unterminated argument list is an error at the macro name', () => {
    expect(diagnosticOf(() => preprocess('m.c', '#define f(a) a\nf(1, 2'))).toMatchObject({
      message: 'unterminated argument list invoking macro `f`',
      loc: { line: 2, col: 1 },
    });
  });

  test('__LINE__ and __FILE__ give the invocation place', () => {
    expect(expand('#define HERE __LINE__\nint a = __LINE__;\nint b = HERE; char *f = __FILE__;'))
      .toBe('int a = 2 ; int b = 3 ; char * f = "m.c" ;');
  });
});

describe('locations through macros', () => {
  const prelude = [{ name: '<irqcheck/kernel.h>', text: '#define unlikely(x) (x)\n#define WRAP(e) unlikely(e) + 0\n' }];

  test('a body token is located at the invocation, an argument token where it was written', () => {
    const src = 'int f(void)\n{\n\treturn WRAP(cpu == 3);\n}';
    expect(originOf(src, '(', { prelude }, 1)).toEqual({ file: 'm.c', line: 3, col: 9 });
    expect(originOf(src, '0', { prelude })).toEqual({ file: 'm.c', line: 3, col: 9 });
    expect(originOf(src, 'cpu', { prelude })).toEqual({ file: 'm.c', line: 3, col: 14 });
  });

  test('prelude macros are visible in the model, and the prelude is a source', () => {
    const pp = preprocess('m.c', 'if (unlikely(x)) y();', { prelude });
    expect(pp.tokens.map((t) => t.text).join(' ')).toBe('if ( ( x ) ) y ( ) ;');
    expect([...pp.sources.keys()]).toEqual(['m.c', '<irqcheck/kernel.h>']);
  });

  test('the source map takes an offset of the text back to its origin', () => {
    const pp = preprocess('m.c', '#define TWO 2\nint a;\n  int b = TWO;', {});
    const offset = pp.map.text.indexOf('2');
    expect(pp.map.locate(offset, { file: 'x', line: 0, col: 0 })).toEqual({ file: 'm.c', line: 3, col: 11 });
    expect(pp.map.text).toBe('int a ;\nint b = 2 ;');
  });
});

describe('conditional inclusion', () => {
  test('#if, #elif and #else choose one group', () => {
    const src = (n: number): string =>
      `#define N ${n}\n#if N > 2\nbig\n#elif N == 2 || defined(NOPE)\ntwo\n#else\nsmall\n#endif\nend`;
    expect(expand(src(5))).toBe('big end');
    expect(expand(src(2))).toBe('two end');
    expect(expand(src(0))).toBe('small end');
  });

  test('#ifdef, #ifndef and defined without parentheses', () => {
    const src = '#define A\n#ifdef A\na\n#endif\n#ifndef A\nno\n#endif\n#if defined A && !defined B\nab\n#endif';
    expect(expand(src)).toBe('a ab');
  });

  test('skipped groups may hold anything, including nested conditionals', () => {
    const src = "#if 0\n#if garbage (\ndon't\n#else\n#error nope\n#endif\n#elif 1\nyes\n#else\nno\n#endif";
    expect(expand(src)).toBe('yes');
  });

  test('arithmetic is done in 64 bits, unsigned when a U operand is present', () => {
    expect(expand('#if -1 > 0u\nunsigned\n#endif\n#if (1 << 40) == 0x10000000000 && 7 / 2 == 3 && -7 % 3 == -1\nwide\n#endif'))
      .toBe('unsigned wide');
  });

  test('compiler feature tests answer no', () => {
    expect(expand('#if __has_attribute(__fallthrough__) || defined(__GNUC__)\ngcc\n#else\nplain\n#endif\n#ifdef __IRQCHECK__\nirqcheck\n#endif'))
      .toBe('plain irqcheck');
  });

  test('an unterminated #if is an error at the #if', () => {
    expect(diagnosticOf(() => preprocess('m.c', 'a\n  #ifdef X\nb\n'))).toMatchObject({
      message: 'unterminated #ifdef',
      loc: { line: 2, col: 4 },
    });
  });

  test('#else after #else and #endif without #if are errors', () => {
    expect(diagnosticOf(() => preprocess('m.c', '#if 1\n#else\n#else\n#endif')).message).toBe('#else after #else');
    expect(diagnosticOf(() => preprocess('m.c', 'x\n#endif')).loc).toEqual({ file: 'm.c', line: 2, col: 2 });
  });

  test('#error stops with its message at the directive', () => {
    expect(diagnosticOf(() => preprocess('m.c', '#ifndef CONFIG_X\n# error "needs CONFIG_X"\n#endif'))).toMatchObject({
      message: '#error "needs CONFIG_X"',
      loc: { line: 2, col: 1 },
    });
  });

  test('a bad #if expression is an error', () => {
    expect(diagnosticOf(() => preprocess('m.c', '#if 1 +\n#endif')).message).toBe('unexpected end of #if expression');
    expect(diagnosticOf(() => preprocess('m.c', '#if 1 / 0\n#endif')).message).toBe('division by zero in #if');
  });

  test('an unknown directive is an error', () => {
    expect(diagnosticOf(() => preprocess('m.c', '#defne X 1'))).toMatchObject({
      message: 'unknown preprocessing directive `#defne`',
      loc: { line: 1, col: 2 },
    });
  });
});

describe('#include', () => {
  test('a quoted include is read relative to the including file, with its own locations', () => {
    const readFile = files({
      'dir/a.h': '#pragma once\n#include "sub/b.h"\nint from_a;',
      'dir/sub/b.h': '\n  int from_b;',
    });
    const src = '#include "a.h"\n#include "a.h"\nint main_x;';
    const pp = preprocess('dir/m.c', src, { readFile });
    expect(pp.tokens.map((t) => t.text).join(' ')).toBe('int from_b ; int from_a ; int main_x ;');
    expect(pp.tokens.find((t) => t.text === 'from_b')?.origin).toEqual({ file: 'dir/sub/b.h', line: 2, col: 7 });
    expect([...pp.sources.keys()].sort()).toEqual(['dir/a.h', 'dir/m.c', 'dir/sub/b.h']);
  });

  test('an include guard keeps a header from being read twice', () => {
    const readFile = files({ 'g.h': '#ifndef G_H\n#define G_H\nint g;\n#endif\n' });
    expect(expand('#include "g.h"\n#include "g.h"\n', { readFile })).toBe('int g ;');
  });

  test('#include <...> is skipped: the kernel API is built in', () => {
    expect(expand('#include <asm/nmi.h>\n#include <linux/cpumask.h>\nint x;')).toBe('int x ;');
  });

  test('a missing include is an error at the directive', () => {
    const d = diagnosticOf(() => preprocess('dir/m.c', 'int a;\n#include "nope.h"\n', { readFile: files({}) }));
    expect(d).toMatchObject({
      message: 'cannot read included file `nope.h` (looked for dir/nope.h)',
      loc: { file: 'dir/m.c', line: 2, col: 10 },
    });
    expect(d.hint).toContain('relative to the including file');
  });

  test('a header including itself stops with an error', () => {
    const readFile = files({ 'r.h': '#include "r.h"\n' });
    expect(diagnosticOf(() => preprocess('m.c', '#include "r.h"', { readFile })).message)
      .toBe('#include nested more than 200 deep');
  });
});
