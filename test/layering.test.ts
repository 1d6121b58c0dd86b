import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGraph, importsOf, violation, type ImportEdge } from './support/import-graph';

/**
 * The README's room rules, enforced on the real import graph of src/: shared/ imports nothing of
 * ours (the client may import the router's type) and nothing of node: or electron at run time;
 * task-service/ never imports main/, preload/ or renderer/, nor 'electron' at run time; the
 * renderer imports only shared/ and types from task-service/.
 */

const SRC = path.resolve('src');
const broken = (edges: ImportEdge[]) => edges.map((e) => ({ edge: `${e.from} -> ${e.spec}`, why: violation(e) })).filter((v) => v.why !== null);

describe('layering', () => {
  const graph = importGraph(SRC);

  it('reads the graph (sanity: known edges are there, types told apart)', () => {
    expect(graph.length).toBeGreaterThan(200);
    expect(graph).toContainEqual(expect.objectContaining({ from: 'renderer/client.ts', target: 'task-service/rpc/router', typeOnly: true }));
    expect(graph).toContainEqual(expect.objectContaining({ from: 'task-service/main.ts', target: 'task-service/service', typeOnly: false }));
  });

  it('src/ keeps every room rule', () => {
    expect(broken(graph)).toEqual([]);
  });

  it('catches each kind of planted violation', () => {
    const planted = [
      importsOf('shared/x.ts', "import { createTaskService } from '../task-service/service';"),
      importsOf('shared/x.ts', "import { readFileSync } from 'node:fs';"),
      importsOf('shared/x.ts', "import { ipcRenderer } from 'electron';"),
      importsOf('task-service/engine/x.ts', "import { Supervisor } from '../../main/supervisor';"),
      importsOf('task-service/x.ts', "import type { View } from '../renderer/view';"),
      importsOf('task-service/x.ts', "import {\n  app,\n} from 'electron';"),
      importsOf('task-service/x.ts', "const e = await import('electron');"),
      importsOf('renderer/x.ts', "import { createAppRouter } from '../task-service/rpc/router';"),
      importsOf('renderer/x.ts', "import { type AppRouter } from '../task-service/rpc/router';"), // still loads it at run time
      importsOf('renderer/x.ts', "export { SERVICE_ENV } from '../main/app-config';"),
    ];
    for (const edges of planted) expect(broken(edges), JSON.stringify(edges)).toHaveLength(1);
  });

  it('lets the allowed shapes through', () => {
    const fine = [
      importsOf('shared/client.ts', "import type { AppRouter } from '../task-service/rpc/router';"),
      importsOf('shared/port/adapters.ts', "import type { MessagePortMain } from 'electron';"),
      importsOf('task-service/parent-port.ts', "import type { MessagePortMain } from 'electron';"),
      importsOf('renderer/main.ts', "import { createServiceClient } from '../shared/client';"),
      importsOf('task-service/x.ts', "// import { x } from '../main/y';\nimport { z } from 'zod';"),
    ];
    for (const edges of fine) expect(broken(edges), JSON.stringify(edges)).toEqual([]);
  });
});
