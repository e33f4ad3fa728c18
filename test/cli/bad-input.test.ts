/**
 * Bad input of many kinds, as a user would give it: each case must exit 2
 * with `file:line:col: error: message`, the source line with a caret under
 * the column, a `hint:` line where the case has one, and never a stack
 * trace or an "internal error". Command-line mistakes have no model
 * location; they must still say `error:` and exit 2.
 *
 * A case that irqcheck does not yet handle as it should is written as it
 * should be and marked `known` with the reason: it runs as `it.fails`, so
 * the day it is fixed the suite says so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ModelDir, runCli, STACK_LINE } from './run-cli.js';

interface Located {
  /** 1-based line and column in `file` (the model unless named). */
  readonly line: number;
  readonly col: number;
  readonly message: RegExp;
  readonly hint?: RegExp;
  /** The file the error is in, when not the model itself (an included header). */
  readonly file?: string;
}

interface Unlocated {
  readonly message: RegExp;
  readonly hint?: RegExp;
}

interface BadInput {
  readonly name: string;
  /** The model's text; absent when the case names a path that is not a model file. */
  readonly model?: string;
  /** Other files next to the model (headers). */
  readonly files?: Readonly<Record<string, string>>;
  /** The command line, given the model's path and the test folder. */
  readonly argv?: (model: string, root: string) => string[];
  /** Where and what the error is; `Unlocated` for errors that belong to no file. */
  readonly error: Located | Unlocated;
  /** Why irqcheck does not behave so yet (the case runs as `it.fails`). */
  readonly known?: string;
}

const MAIN = 'int main(void)\n{\n\treturn 0;\n}\n';

const CASES: readonly BadInput[] = [
  {
    name: 'syntax error',
    model: 'int main(void)\n{\n\tint x = ;\n\treturn x;\n}\n',
    error: { line: 3, col: 9, message: /expected an expression before `;`/, hint: /missing `;`, `\)` or `\}`/ },
  },
  {
    name: 'missing semicolon',
    model: 'int main(void)\n{\n\treturn 0\n}\n',
    error: { line: 3, col: 10, message: /expected `;`/ },
  },
  {
    name: 'unknown function',
    model: 'int main(void)\n{\n\tfrobnicate(3);\n\treturn 0;\n}\n',
    error: { line: 3, col: 2, message: /unknown function 'frobnicate'/, hint: /define a stub in the model/ },
  },
  {
    name: 'undeclared variable',
    model: 'int main(void)\n{\n\ty = 3;\n\treturn 0;\n}\n',
    error: { line: 3, col: 2, message: /'y' is not declared/, hint: /declare it/ },
  },
  {
    name: 'floating-point literal',
    model: 'int main(void)\n{\n\tint x = 1.5;\n\treturn x;\n}\n',
    error: { line: 3, col: 10, message: /floating-point constant `1\.5`/, hint: /integer kernel code/ },
  },
  {
    name: 'double type',
    model: `static double d;\n${MAIN}`,
    error: { line: 1, col: 8, message: /type `double`/, hint: /floating point/ },
  },
  {
    name: 'inline asm',
    model: 'int main(void)\n{\n\tasm volatile("nop");\n\treturn 0;\n}\n',
    error: { line: 3, col: 2, message: /inline assembly/, hint: /inline assembly is not modelled/ },
  },
  {
    name: 'unbounded self recursion',
    model: 'static int f(int n)\n{\n\treturn f(n + 1);\n}\n\nint main(void)\n{\n\treturn f(0);\n}\n',
    error: { line: 3, col: 2, message: /'f' calls itself unconditionally: unbounded recursion/, hint: /bounded stack/ },
  },
  {
    name: 'missing main',
    model: 'static int x;\n\nstatic int f(void)\n{\n\treturn x;\n}\n',
    error: { line: 1, col: 1, message: /the model has no main\(\)/, hint: /int main\(void\)/ },
  },
  {
    name: 'main declared but never defined',
    model: 'int main(void);\n',
    error: { line: 1, col: 1, message: /the model has no main\(\)/, hint: /int main\(void\)/ },
  },
  {
    name: 'empty file',
    model: '',
    error: { line: 1, col: 1, message: /the model has no main\(\)/, hint: /int main\(void\)/ },
  },
  {
    name: 'bad pragma key',
    model: `#pragma irqcheck cpus 2 threads 3\n${MAIN}`,
    error: { line: 1, col: 25, message: /unknown irqcheck pragma key `threads`/, hint: /cpus N .* smt N .* nmis N/ },
  },
  {
    name: 'bad pragma value',
    model: `#pragma irqcheck cpus zero\n${MAIN}`,
    error: { line: 1, col: 23, message: /irqcheck pragma `cpus` needs a positive integer, not `zero`/, hint: /cpus N/ },
  },
  {
    name: 'pragma cpus 0',
    model: `#pragma irqcheck cpus 0\n${MAIN}`,
    error: { line: 1, col: 23, message: /irqcheck pragma `cpus` needs a positive integer, not `0`/, hint: /cpus N/ },
  },
  {
    name: 'pragma key without a value',
    model: `#pragma irqcheck cpus 2 nmis\n${MAIN}`,
    error: { line: 1, col: 25, message: /irqcheck pragma key `nmis` has no value/, hint: /nmis N/ },
  },
  {
    name: 'pragma with more CPUs than irqcheck supports',
    model: `#pragma irqcheck cpus 1000\n${MAIN}`,
    error: { line: 1, col: 1, message: /cpus must be between 1 and 64, not 1000/, hint: /--cpus N/ },
  },
  {
    name: 'smt greater than cpus in the pragma',
    model: `#pragma irqcheck cpus 2 smt 4\n${MAIN}`,
    error: { line: 1, col: 1, message: /smt must be between 1 and cpus \(2\), not 4/, hint: /threads per core/ },
  },
  {
    name: 'unknown type',
    model: `static widget_t w;\n${MAIN}`,
    error: { line: 1, col: 8, message: /unknown type 'widget_t'/, hint: /typedef/ },
  },
  {
    name: 'undefined struct',
    model: `static struct widget w;\n${MAIN}`,
    error: { line: 1, col: 22, message: /'w' has incomplete type struct widget/, hint: /define the struct/ },
  },
  {
    name: 'struct passed by value',
    model: 'struct s { int a; };\nstatic int f(struct s v)\n{\n\treturn v.a;\n}\n\nstatic struct s g;\n\nint main(void)\n{\n\treturn f(g);\n}\n',
    error: { line: 2, col: 1, message: /'f' passes or returns a struct by value/, hint: /pass a pointer/ },
  },
  {
    name: 'wrong argument count',
    model: 'static int f(int a, int b)\n{\n\treturn a + b;\n}\n\nint main(void)\n{\n\treturn f(1);\n}\n',
    error: { line: 8, col: 9, message: /'f' takes 2 argument\(s\), given 1/ },
  },
  {
    name: 'wrong argument count to a kernel API function',
    model: 'static atomic_t a;\n\nint main(void)\n{\n\tatomic_inc(&a, 2);\n\treturn 0;\n}\n',
    error: { line: 5, col: 2, message: /'atomic_inc' takes 1 argument\(s\), given 2/ },
  },
  {
    name: 'wrong argument count to a kernel API macro',
    model: 'int main(void)\n{\n\tregister_nmi_handler(NMI_LOCAL);\n\treturn 0;\n}\n',
    error: { line: 3, col: 2, message: /macro `register_nmi_handler` takes at least 4 argument\(s\) but was given 1/, hint: /defined at/ },
  },
  {
    name: 'statement macro not defined',
    model: 'static int cpu;\n\nint main(void)\n{\n\tfor_each_widget(cpu) {\n\t\tcpu++;\n\t}\n\treturn 0;\n}\n',
    error: { line: 5, col: 2, message: /unexpected block after `for_each_widget\(\.\.\.\)`/, hint: /a macro irqcheck does not know\? define it with #define/ },
  },
  {
    name: 'function-like macro given too few arguments',
    model: '#define ADD(a, b) ((a) + (b))\n\nint main(void)\n{\n\treturn ADD(1);\n}\n',
    error: { line: 5, col: 9, message: /macro `ADD` takes 2 argument\(s\) but was given 1/, hint: /defined at .*m\.c:1/ },
  },
  {
    name: '#include of a missing file',
    model: `#include "missing.h"\n${MAIN}`,
    error: { line: 1, col: 10, message: /cannot read included file `missing\.h`/, hint: /relative to the including file's folder/ },
  },
  {
    name: 'error inside an included header',
    model: `#include "defs.h"\n${MAIN}`,
    files: { 'defs.h': '/* shared definitions */\nstatic int counter = 1.0;\n' },
    error: { file: 'defs.h', line: 2, col: 22, message: /floating-point constant `1\.0`/, hint: /floating point/ },
  },
  {
    name: 'a header that includes itself',
    model: `#include "loop.h"\n${MAIN}`,
    files: { 'loop.h': '#include "loop.h"\n' },
    error: { file: 'loop.h', line: 1, col: 10, message: /#include nested more than \d+ deep/, hint: /#pragma once/ },
  },
  {
    name: 'unterminated #if',
    model: `#ifdef CONFIG_SMP\n${MAIN}`,
    error: { line: 1, col: 2, message: /unterminated #if/, hint: /#endif/ },
  },
  {
    name: '#error',
    model: `#error not for this architecture\n${MAIN}`,
    error: { line: 1, col: 1, message: /#error not for this architecture/ },
  },
  {
    name: 'unterminated comment',
    model: `${MAIN}/* never closed\n`,
    error: { line: 5, col: 1, message: /unterminated comment/, hint: /\*\// },
  },
  {
    name: 'unterminated string literal',
    model: 'int main(void)\n{\n\tpr_info("abc);\n\treturn 0;\n}\n',
    error: { line: 3, col: 10, message: /missing terminating " character/, hint: /close the literal/ },
  },
  {
    name: 'integer constant too large',
    model: 'int main(void)\n{\n\treturn 99999999999999999999999;\n}\n',
    error: { line: 3, col: 9, message: /integer constant `99999999999999999999999` is too large/ },
  },
  {
    name: 'typeof',
    model: 'static int x;\n\nint main(void)\n{\n\ttypeof(x) y = 1;\n\treturn y;\n}\n',
    error: { line: 5, col: 2, message: /typeof/, hint: /write the type out/ },
  },
  {
    name: 'statement expression',
    model: 'int main(void)\n{\n\tint y = ({ 1; });\n\treturn y;\n}\n',
    error: { line: 3, col: 10, message: /statement expression/, hint: /do \{ \.\.\. \} while \(0\)/ },
  },
  {
    name: 'break outside a loop',
    model: 'int main(void)\n{\n\tbreak;\n\treturn 0;\n}\n',
    error: { line: 3, col: 2, message: /'break' outside a loop or switch/ },
  },
  {
    name: 'variable-length array',
    model: 'int main(void)\n{\n\tint n = 3;\n\tint a[n];\n\treturn a[0];\n}\n',
    error: { line: 4, col: 8, message: /'n' is not a constant/, hint: /constant expression/ },
  },
  {
    name: 'member that does not exist',
    model: 'struct s { int a; };\nstatic struct s g;\n\nint main(void)\n{\n\treturn g.b;\n}\n',
    error: { line: 6, col: 9, message: /struct s has no member 'b'/, hint: /its members are: a/ },
  },
  {
    name: 'function defined twice',
    model: `static int f(void)\n{\n\treturn 0;\n}\n\nstatic int f(void)\n{\n\treturn 1;\n}\n\n${MAIN}`,
    error: { line: 6, col: 1, message: /function 'f' is defined twice/ },
  },
  {
    name: 'function declared but never defined',
    model: 'int helper(void);\n\nint main(void)\n{\n\treturn helper();\n}\n',
    error: { line: 1, col: 5, message: /function 'helper' is declared but never defined/, hint: /a stub is fine/ },
  },
  {
    name: 'binary garbage',
    model: `int main(void)\n{\n\treturn 0;\n}\n\u0001\u00ff\u0002`,
    error: { line: 5, col: 1, message: /stray/ },
  },
  {
    name: 'goto to a label that does not exist',
    model: 'int main(void)\n{\n\tgoto out;\n\treturn 0;\n}\n',
    error: { line: 3, col: 2, message: /label 'out' is used but not defined/ },
  },
  {
    name: 'expression nested too deeply',
    model: `int main(void)\n{\n\treturn ${'('.repeat(20000)}1${')'.repeat(20000)};\n}\n`,
    error: { line: 3, col: 9, message: /nested|too deep|too complex/ },
  },
  {
    name: 'array too large for the state vector',
    model: 'static int a[1UL << 40];\n\nint main(void)\n{\n\treturn a[0];\n}\n',
    error: { line: 1, col: 12, message: /too large|too big/ },
  },
  {
    name: 'conflicting types for a global',
    model: `static int x;\nstatic long x;\n\n${MAIN}`,
    error: { line: 2, col: 13, message: /conflicting|redeclared|defined twice/ },
  },
  {
    name: 'variable declared void',
    model: 'int main(void)\n{\n\tvoid v;\n\treturn 0;\n}\n',
    error: { line: 3, col: 7, message: /void/ },
  },
  {
    name: 'main declared void',
    model: 'void main(void)\n{\n}\n',
    error: { line: 1, col: 6, message: /main must be declared int main\(void\)/, hint: /CPU 0 runs int main\(void\)/ },
  },
  {
    name: 'main taking an argument',
    model: 'int main(int argc)\n{\n\treturn 0;\n}\n',
    error: { line: 1, col: 5, message: /main must be declared int main\(void\)/ },
  },
  {
    name: 'a value returned from a void function',
    model: `static void f(void)\n{\n\treturn 3;\n}\n\nint main(void)\n{\n\tf();\n\treturn 0;\n}\n`,
    error: { line: 3, col: 2, message: /'f' returns void but this return has a value/, hint: /drop the value/ },
  },
  {
    name: 'sizeof an undefined struct',
    model: 'int main(void)\n{\n\treturn sizeof(struct nope);\n}\n',
    error: { line: 3, col: 9, message: /incomplete|struct nope/ },
  },
];

/** Command-line mistakes: no model location, still exit 2 and `error:`. */
const USAGE_CASES: readonly BadInput[] = [
  {
    name: '--cpus 0',
    model: MAIN,
    argv: (m) => ['check', m, '--cpus', '0'],
    error: { message: /cpus must be between 1 and 64, not 0/, hint: /--cpus N/ },
  },
  {
    name: '--cpus 0 on a model whose pragma sets cpus',
    model: `#pragma irqcheck cpus 2\n${MAIN}`,
    argv: (m) => ['check', m, '--cpus', '0'],
    error: { message: /--cpus.*0|cpus must be between 1 and 64, not 0/ },
  },
  {
    name: '--smt greater than --cpus',
    model: MAIN,
    argv: (m) => ['check', m, '--cpus', '2', '--smt', '4'],
    error: { message: /smt must be between 1 and cpus \(2\), not 4/, hint: /threads per core/ },
  },
  {
    name: 'an empty --cpus range',
    model: MAIN,
    argv: (m) => ['check', m, '--cpus', '3..2'],
    error: { message: /the range 3\.\.2 is empty/ },
  },
  {
    name: '--cpus that is not a number',
    model: MAIN,
    argv: (m) => ['check', m, '--cpus', 'four'],
    error: { message: /expected a number or a range like 2\.\.8/ },
  },
  {
    name: 'negative --nmis',
    model: MAIN,
    argv: (m) => ['check', m, '--nmis', '-1'],
    error: { message: /--nmis/ },
  },
  {
    name: 'bad --max-memory',
    model: MAIN,
    argv: (m) => ['check', m, '--max-memory', 'lots'],
    error: { message: /expected a size like 512M or 2G/ },
  },
  {
    name: 'bad --time-limit',
    model: MAIN,
    argv: (m) => ['check', m, '--time-limit', '0'],
    error: { message: /expected a positive number of seconds/ },
  },
  {
    name: 'unknown flag',
    model: MAIN,
    argv: (m) => ['check', m, '--frobnicate'],
    error: { message: /unknown option '--frobnicate'/ },
  },
  {
    name: 'unknown command',
    model: MAIN,
    argv: (m) => ['verify', m],
    error: { message: /unknown command 'verify'/ },
  },
  {
    name: 'no model given',
    argv: () => ['check'],
    error: { message: /missing required argument 'model\.c'/ },
  },
  {
    name: 'a model file that does not exist',
    argv: (_m, root) => ['check', `${root}/nowhere.c`],
    error: { message: /cannot read model file `.*nowhere\.c`/, hint: /check the path/ },
  },
  {
    name: 'a directory instead of a model file',
    argv: (_m, root) => ['check', root],
    error: { message: /cannot read model file/, hint: /check the path/ },
  },
  {
    name: 'replay with something that is not a token',
    model: MAIN,
    argv: (m) => ['replay', m, 'garbage'],
    error: { message: /'garbage' is neither a replay token nor a readable file/, hint: /replay:/ },
  },
  {
    name: 'replay token with an impossible configuration',
    model: MAIN,
    argv: (m) => ['replay', m, 'irqcheck:1:c2s5n0:0'],
    error: { message: /smt must be between 1 and cpus|bad token|configuration/ },
  },
];

const dir = new ModelDir('irqcheck-bad-');
afterAll(() => dir.remove());

/** Where the caret points: the column under `^` relative to the excerpt's text, 1-based. */
function caretColumn(stderr: string, line: number): number | null {
  const lines = stderr.split('\n');
  const excerpt = lines.findIndex((l) => l.startsWith(`  ${line} | `));
  const caret = lines[excerpt + 1];
  if (excerpt < 0 || caret === undefined) return null;
  const bar = caret.indexOf('| ');
  const first = caret.indexOf('^');
  if (bar < 0 || first < 0) return null;
  return first - (bar + 2) + 1;
}

function isLocated(e: Located | Unlocated): e is Located {
  return 'line' in e;
}

async function runCase(c: BadInput, index: number): Promise<void> {
  const folder = `case-${index}`;
  for (const [name, text] of Object.entries(c.files ?? {})) dir.write(`${folder}/${name}`, text);
  const model = c.model === undefined ? dir.path(`${folder}/m.c`) : dir.write(`${folder}/m.c`, c.model);
  const argv = c.argv?.(model, dir.path(folder)) ?? ['check', model];
  const run = await runCli(argv);

  expect(run.code).toBe(2);
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.stderr).not.toMatch(/internal error/);
  expect(run.stdout).not.toMatch(STACK_LINE);

  const e = c.error;
  if (isLocated(e)) {
    const file = e.file === undefined ? model : dir.path(`${folder}/${e.file}`);
    const head = `${file}:${e.line}:${e.col}: error: `;
    const first = run.stderr.split('\n')[0] ?? '';
    expect(first.startsWith(head), `expected "${head}..." but stderr was:\n${run.stderr}`).toBe(true);
    expect(first.slice(head.length)).toMatch(e.message);
    expect(caretColumn(run.stderr, e.line), `caret under column ${e.col} in:\n${run.stderr}`).toBe(e.col);
  } else {
    expect(run.stderr).toMatch(/(^|\n)(irqcheck: )?error: /);
    expect(run.stderr).toMatch(e.message);
  }
  if (e.hint !== undefined) {
    const hint = run.stderr.split('\n').find((l) => l.startsWith('  hint: '));
    expect(hint, `a hint line in:\n${run.stderr}`).toBeDefined();
    expect(hint).toMatch(e.hint);
  }
}

describe('bad models exit 2 with a located message', () => {
  CASES.forEach((c, i) => {
    const test = c.known === undefined ? it : it.fails;
    test(`${c.name}${c.known === undefined ? '' : ` (known gap: ${c.known})`}`, () => runCase(c, i));
  });
});

describe('bad command lines exit 2 with an error', () => {
  USAGE_CASES.forEach((c, i) => {
    const test = c.known === undefined ? it : it.fails;
    test(`${c.name}${c.known === undefined ? '' : ` (known gap: ${c.known})`}`, () => runCase(c, CASES.length + i));
  });
});

describe('bad input with --json', () => {
  it('still prints the diagnostic on stderr and an error report on stdout', async () => {
    const model = dir.write('json/m.c', 'int main(void)\n{\n\tint x = 1.5;\n\treturn x;\n}\n');
    const run = await runCli(['check', model, '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${model}:3:10: error: floating-point constant`);
    const json = JSON.parse(run.stdout) as { verdict: string; violations: { location: unknown }[] };
    expect(json.verdict).toBe('error');
    expect(json.violations[0]?.location).toEqual({ file: model, line: 3 });
  });
});
