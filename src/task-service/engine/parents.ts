import { isTerminal, type Task } from '../../shared/task';

/**
 * The parent of each task the engine holds in memory (running, waiting, watched): progress
 * aggregation and the parentId filter of progress ticks need it without a read per tick. An
 * entry goes when its task reaches a terminal state or is removed, so the map holds live tasks
 * only, not every task ever processed (it used to grow by about 95 bytes per task, forever).
 */
export class ParentIndex {
  private readonly parents = new Map<string, string | null>();

  /** Records where a task stands now: kept while live, forgotten once terminal. */
  note(task: Pick<Task, 'id' | 'parentId' | 'state'>): void {
    if (isTerminal(task.state)) this.parents.delete(task.id);
    else this.parents.set(task.id, task.parentId);
  }

  /** A child the engine just spawned (live by definition). */
  set(id: string, parentId: string | null): void {
    this.parents.set(id, parentId);
  }

  get(id: string): string | null | undefined {
    return this.parents.get(id);
  }

  has(id: string): boolean {
    return this.parents.has(id);
  }

  forget(id: string): void {
    this.parents.delete(id);
  }

  size(): number {
    return this.parents.size;
  }
}
