import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The import graph of src/, read from the sources, and the README's room rules checked against
 * it. Only `import type` / `export type` count as type-only: under verbatimModuleSyntax an
 * `import { type X }` still loads the module at run time.
 */

/** One import: `from` imports `spec` (resolved to a src-relative path when it is ours). */
export interface ImportEdge {
  from: string;
  spec: string;
  /** src-relative path of the target for relative specifiers, else null (a package or node:). */
  target: string | null;
  typeOnly: boolean;
}

const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js)$/;

/** Every source file under `srcDir`, as src-relative paths with forward slashes. */
export function sourceFiles(srcDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (SOURCE.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path.relative(srcDir, full).split(path.sep).join('/'));
    }
  };
  walk(srcDir);
  return out.sort();
}

// Static imports and re-exports (possibly spanning lines), bare imports, dynamic imports.
const STATIC = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The imports of one file given its src-relative path and text. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  const edges: ImportEdge[] = [];
  const add = (spec: string, typeOnly: boolean): void => {
    const bare = spec.split('?')[0]!;
    const target = bare.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), bare)) : null;
    edges.push({ from: file, spec, target, typeOnly });
  };
  for (const m of code.matchAll(STATIC)) {
    // `export const x = ...` and friends have no specifier; the regex only matches `... from '...'`.
    add(m[3]!, m[2] !== undefined);
  }
  for (const m of code.matchAll(DYNAMIC)) add(m[1]!, false);
  return edges;
}

/** The whole graph of src/. */
export function importGraph(srcDir: string): ImportEdge[] {
  return sourceFiles(srcDir).flatMap((f) => importsOf(f, readFileSync(path.join(srcDir, f), 'utf8')));
}

/** The room (top folder of src/) a src-relative path is in. */
export function roomOf(p: string): string {
  return p.split('/')[0]!;
}

/** Why an edge breaks a room rule, or null. The rules are the README's "Rooms" paragraph. */
export function violation(e: ImportEdge): string | null {
  const from = roomOf(e.from);
  const to = e.target === null ? null : roomOf(e.target);
  const electron = e.spec === 'electron' || e.spec.startsWith('electron/');
  const nodeBuiltin = e.spec.startsWith('node:');
  if (from === 'shared') {
    if (to !== null && to !== 'shared' && !(e.typeOnly && e.target === 'task-service/rpc/router'))
      return 'shared/ imports nothing of ours (only the router type, for the client)';
    if ((electron || nodeBuiltin) && !e.typeOnly) return 'shared/ runs everywhere: no node: or electron at run time';
  }
  if (from === 'task-service') {
    if (to === 'main' || to === 'preload' || to === 'renderer') return 'task-service/ never imports main/, preload/ or renderer/';
    if (electron && !e.typeOnly) return "task-service/ is plain Node: never 'electron' at run time";
  }
  if (from === 'renderer') {
    if (to === 'task-service' && !e.typeOnly) return 'the renderer imports only types from task-service/';
    if (to === 'main' || to === 'preload') return 'the renderer imports only shared/ (and types from task-service/)';
    if ((electron || nodeBuiltin) && !e.typeOnly) return 'the renderer is a web page: no node: or electron';
  }
  return null;
}
