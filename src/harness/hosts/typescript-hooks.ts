/**
 * Module hooks that let `eddy sim --node FILE.ts` load TypeScript: Node.js
 * runs these on its loader thread once `typescript.ts` registers them. A
 * `.ts`/`.mts` file is compiled one file at a time with the TypeScript
 * compiler's `transpileModule` (types are erased, not checked: `tsc` is
 * where type errors belong), and a relative `./x.js` import from such a file
 * that does not exist falls back to `./x.ts`, which is how TypeScript's own
 * NodeNext resolution lets sources name each other.
 */
import { readFile } from 'node:fs/promises';
import type { InitializeHook, LoadHook, ResolveHook } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What `registerTypeScript` passes: where the `typescript` package it found lives. */
export interface TypeScriptHooksData {
  typescriptUrl: string;
}

/** The part of the TypeScript compiler's API these hooks use. */
interface Compiler {
  transpileModule(
    source: string,
    options: { fileName: string; reportDiagnostics: boolean; compilerOptions: Record<string, unknown> },
  ): { outputText: string; diagnostics?: { messageText: unknown; start?: number }[] };
  ModuleKind: { ESNext: number };
  ScriptTarget: { ES2022: number };
  flattenDiagnosticMessageText(message: unknown, newLine: string): string;
}

let compiler: Compiler | undefined;

const TS_URL = /\.m?ts$/;
const RELATIVE_JS = /^\.{1,2}\/.*\.(m?)js$/;

export const initialize: InitializeHook<TypeScriptHooksData> = async (data) => {
  const mod = (await import(data.typescriptUrl)) as { default?: Compiler } & Compiler;
  compiler = mod.default ?? mod;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (e) {
    const fromTs = context.parentURL !== undefined && TS_URL.test(context.parentURL);
    if (!fromTs || (e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !RELATIVE_JS.test(specifier)) throw e;
    return nextResolve(specifier.replace(/\.(m?)js$/, '.$1ts'), context);
  }
};

export const load: LoadHook = async (url, context, nextLoad) => {
  if (!url.startsWith('file:') || !TS_URL.test(url) || compiler === undefined) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const out = compiler.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    reportDiagnostics: true,
    compilerOptions: { module: compiler.ModuleKind.ESNext, target: compiler.ScriptTarget.ES2022, inlineSourceMap: true, inlineSources: true },
  });
  const syntax = out.diagnostics?.[0];
  if (syntax !== undefined) {
    // Only syntax errors come back from a one-file transpile; say which file and where.
    const source = await readFile(fileName, 'utf8');
    const line = syntax.start === undefined ? '?' : String(source.slice(0, syntax.start).split('\n').length);
    throw new SyntaxError(`${fileName}:${line}: ${compiler.flattenDiagnosticMessageText(syntax.messageText, ' ')}`);
  }
  return { format: 'module', source: out.outputText, shortCircuit: true };
};
