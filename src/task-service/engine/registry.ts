import { ServiceError } from '../../shared/errors';
import { parseWith } from '../../shared/validate';
import type { TaskDefinition } from './define';

/** The task types a service knows, by type name. */
export class TaskRegistry {
  private readonly defs = new Map<string, TaskDefinition>();

  constructor(defs: readonly TaskDefinition[]) {
    for (const d of defs) {
      if (this.defs.has(d.type)) throw new ServiceError('BAD_INPUT', `Task type ${d.type} is defined twice; give each definition its own type name.`);
      if (d.runIn === 'worker' && !d.module) throw new ServiceError('BAD_INPUT', `Task type ${d.type} runs in a worker but names no module; set module to a file URL that exports the definition.`);
      this.defs.set(d.type, d);
    }
  }

  get(type: string): TaskDefinition {
    const d = this.defs.get(type);
    if (!d) throw new ServiceError('UNKNOWN_TYPE', `Unknown task type "${type}"; known types: ${[...this.defs.keys()].join(', ') || 'none'}.`, { type });
    return d;
  }

  has(type: string): boolean {
    return this.defs.has(type);
  }

  types(): string[] {
    return [...this.defs.keys()];
  }

  /** Checks input against the type's schema; BAD_INPUT lists the problems. */
  parseInput(type: string, input: unknown): unknown {
    return parseWith(this.get(type).input, input, `input for task type ${type}`, { type });
  }
}
