/**
 * The C grammar: tree-sitter-c's WebAssembly parser, loaded once per process.
 */
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';

let loading: Promise<Parser> | null = null;

/**
 * The shared C parser, initialised on first use. Parsing is synchronous, so
 * one parser serves every caller of this thread.
 */
export function loadCParser(): Promise<Parser> {
  loading ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-c/tree-sitter-c.wasm');
    const parser = new Parser();
    parser.setLanguage(await Language.load(wasm));
    return parser;
  })().catch((e: unknown) => {
    loading = null; // let a later call retry
    throw e;
  });
  return loading;
}
