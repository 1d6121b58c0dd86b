import { pathToFileURL } from 'node:url';
import { ServiceError } from '../../shared/errors';
import type { TaskDefinition } from '../engine/define';

/** Imports extra task definitions: every export that looks like a definition is registered. */
export async function loadTaskModules(paths: readonly string[]): Promise<TaskDefinition[]> {
  if (paths.length > 0 && process.env.PLAYLISTIFY_ALLOW_TASK_MODULES !== '1') {
    throw new ServiceError('BAD_INPUT', 'taskModules given but PLAYLISTIFY_ALLOW_TASK_MODULES=1 is not set for the service');
  }
  const found: TaskDefinition[] = [];
  for (const p of paths) {
    const mod = (await import(pathToFileURL(p).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (isDefinition(value)) found.push(value);
      else if (Array.isArray(value)) found.push(...value.filter(isDefinition));
    }
  }
  return found;
}

function isDefinition(value: unknown): value is TaskDefinition {
  const v = value as Partial<TaskDefinition> | null;
  return typeof v === 'object' && v !== null && typeof v.type === 'string' && typeof v.run === 'function' && typeof v.input === 'object';
}
