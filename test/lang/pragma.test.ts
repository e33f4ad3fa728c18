import { describe, expect, test } from 'vitest';
import { ParseError, parseModelSource } from '../../src/lang/index.js';
import { preprocess } from '../../src/lang/preprocess.js';

const pragmasOf = (src: string) => preprocess('m.c', src).pragmas;

function errorOf(src: string): ParseError {
  try {
    preprocess('m.c', src);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error('expected a ParseError');
}

describe('#pragma irqcheck', () => {
  test('reads every key, located at the first pragma', () => {
    expect(pragmasOf('int x;\n#pragma irqcheck cpus 4 smt 2 nmis 1\n')).toEqual({
      cpus: 4,
      smt: 2,
      nmis: 1,
      loc: { file: 'm.c', line: 2, col: 1 },
    });
  });

  test('keys come in any order and any subset; several lines merge', () => {
    expect(pragmasOf('#pragma irqcheck nmis 0\n#pragma irqcheck cpus 8\n')).toEqual({
      cpus: 8,
      nmis: 0,
      loc: { file: 'm.c', line: 1, col: 1 },
    });
  });

  test('a later value for a key replaces an earlier one', () => {
    expect(pragmasOf('#pragma irqcheck cpus 2\n#pragma irqcheck cpus 3 smt 1').cpus).toBe(3);
  });

  test('no pragma gives no settings; other pragmas are ignored', () => {
    expect(pragmasOf('#pragma GCC diagnostic push\n#pragma once\nint x;')).toEqual({});
  });

  test('pragmas in a skipped group do not count', () => {
    expect(pragmasOf('#if 0\n#pragma irqcheck cpus 9\n#endif\n#pragma irqcheck cpus 2').cpus).toBe(2);
  });

  test('an unknown key is an error at the key, with a hint listing the keys', () => {
    const e = errorOf('\n#pragma irqcheck cpus 2 threads 4');
    expect(e.diagnostic).toMatchObject({
      code: 'bad-pragma',
      message: 'unknown irqcheck pragma key `threads`',
      loc: { file: 'm.c', line: 2, col: 25 },
      length: 7,
    });
    expect(e.diagnostic.hint).toMatch(/cpus N .*smt N .*nmis N/);
  });

  test('values must be integers; cpus and smt positive, nmis may be 0', () => {
    expect(errorOf('#pragma irqcheck cpus 0').diagnostic).toMatchObject({
      message: 'irqcheck pragma `cpus` needs a positive integer, not `0`',
      loc: { line: 1, col: 23 },
    });
    expect(errorOf('#pragma irqcheck smt two').diagnostic.message)
      .toBe('irqcheck pragma `smt` needs a positive integer, not `two`');
    expect(errorOf('#pragma irqcheck nmis -1').diagnostic.message)
      .toBe('irqcheck pragma `nmis` needs a non-negative integer, not `-1`');
    expect(errorOf('#pragma irqcheck nmis').diagnostic.message).toBe('irqcheck pragma key `nmis` has no value');
    expect(errorOf('#pragma irqcheck').diagnostic.message).toBe('#pragma irqcheck with no settings');
  });

  test('the parsed model carries its pragmas', async () => {
    const tu = await parseModelSource('m.c', '#pragma irqcheck cpus 4 smt 2 nmis 1\nint main(void) { return 0; }');
    expect(tu.pragmas).toMatchObject({ cpus: 4, smt: 2, nmis: 1 });
  });
});
