/**
 * Cycle search and topological order for dependency graphs, iterative so a chain of 10,000
 * tasks cannot overflow the stack. Edges point from a task to what it depends on, so the
 * post-order lists dependencies before their dependents: the order to insert a batch in.
 */

export type Ordered<N> = { order: N[]; cycle: null } | { order: null; cycle: N[] };

interface Frame<N> {
  node: N;
  next: readonly N[];
  i: number;
}

/** Depth-first over `roots` following `next`; returns the post-order or the first cycle found as [a, b, ..., a]. */
export function orderOrCycle<N>(roots: Iterable<N>, next: (n: N) => readonly N[]): Ordered<N> {
  const done = new Set<N>();
  const onPath = new Map<N, number>(); // node -> its index in `stack`
  const order: N[] = [];
  for (const root of roots) {
    if (done.has(root)) continue;
    const stack: Frame<N>[] = [{ node: root, next: next(root), i: 0 }];
    onPath.set(root, 0);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.next.length) {
        const child = top.next[top.i++]!;
        if (done.has(child)) continue;
        const at = onPath.get(child);
        if (at !== undefined) return { order: null, cycle: [...stack.slice(at).map((f) => f.node), child] };
        onPath.set(child, stack.length);
        stack.push({ node: child, next: next(child), i: 0 });
      } else {
        stack.pop();
        onPath.delete(top.node);
        done.add(top.node);
        order.push(top.node);
      }
    }
  }
  return { order, cycle: null };
}

/** "a -> b -> c -> a", shortened in the middle for very long cycles (details keep the full path). */
export function describeCycle(path: readonly string[], max = 12): string {
  if (path.length <= max) return path.join(' -> ');
  const head = path.slice(0, max / 2);
  const tail = path.slice(-max / 2);
  return `${head.join(' -> ')} -> ... (${path.length - max} more) ... -> ${tail.join(' -> ')}`;
}

/** An existing task that waits for another: as a dependent ('dependency') or as its parent ('child'). */
export interface Waiter {
  id: string;
  /** What the waiter waits for the other task as: its dependency, or its child. */
  as: 'dependency' | 'child';
}

/** One step of a wait cycle: `id` waits for the next step as its `as` ('child' when it is that step's parent). */
export interface WaitStep {
  id: string;
  as: 'dependency' | 'child';
}

/**
 * Would a new task whose parent is `parentId` close a cycle by depending on one of `deps`? The
 * parent (and so every ancestor) waits for the new task, so a dependency that waits, directly or
 * through other unfinished tasks, for the parent can never complete: the tree deadlocks. Searched
 * backwards from the parent (who waits for it) rather than forwards from the dependencies, because
 * the parent's waiters are usually few while a dependency may have thousands of children.
 * Breadth-first, so the shortest cycle is named. Returns the steps from a dependency to the
 * parent, or null.
 */
export function findWaitCycle(parentId: string, deps: ReadonlySet<string>, waitersOf: (id: string) => readonly Waiter[]): WaitStep[] | null {
  // next.get(x) = the step x waits for on its way to the parent (undefined for the parent itself)
  const next = new Map<string, Waiter | undefined>([[parentId, undefined]]);
  const queue = [parentId];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    if (deps.has(id)) {
      const steps: WaitStep[] = [];
      for (let at: string | undefined = id; at !== undefined; ) {
        const step = next.get(at);
        steps.push({ id: at, as: step?.as ?? 'child' }); // the parent waits for the new task as its child
        at = step?.id;
      }
      return steps;
    }
    for (const w of waitersOf(id)) {
      if (next.has(w.id)) continue;
      next.set(w.id, { id, as: w.as });
      queue.push(w.id);
    }
  }
  return null;
}
