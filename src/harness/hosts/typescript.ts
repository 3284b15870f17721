/**
 * TypeScript node modules for `eddy sim --node FILE.ts`: finds the
 * `typescript` package (the user's project first, then eddy's own) and
 * registers `typescript-hooks.ts` with Node.js, once per thread, so that
 * importing the file compiles it on the way in. No compiler is bundled:
 * whoever writes a node in TypeScript has one.
 */
import { createRequire, register } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TypeScriptHooksData } from './typescript-hooks.js';

/** `.ts` and `.mts` files are compiled; `.cts` (CommonJS) is not supported. */
export function isTypeScript(file: string): boolean {
  return /\.[mc]?ts$/.test(file);
}

let registered = false;

/**
 * Makes `import()` of TypeScript files work in this thread. Throws one
 * sentence naming `file` when no TypeScript compiler can be found or the
 * file is CommonJS TypeScript.
 */
export function registerTypeScript(file: string): void {
  if (file.endsWith('.cts')) {
    throw new Error(`--node ${file} is CommonJS TypeScript (.cts), which eddy sim does not load; use .ts or .mts (ES modules), or compile it and pass the .js file`);
  }
  if (registered) return;
  const typescriptUrl = findTypeScript(file);
  if (typescriptUrl === null) {
    throw new Error(
      `--node ${file} is TypeScript, and eddy sim compiles it with the typescript package, which is installed neither in its project nor beside eddy: npm install --save-dev typescript, or compile it first and pass the .js file`,
    );
  }
  register<TypeScriptHooksData>(new URL('./typescript-hooks.js', import.meta.url), { data: { typescriptUrl } });
  registered = true;
}

function findTypeScript(file: string): string | null {
  for (const from of [path.resolve(file), import.meta.url]) {
    try {
      return pathToFileURL(createRequire(from).resolve('typescript')).href;
    } catch {
      // Not installed there: try the next place.
    }
  }
  return null;
}
