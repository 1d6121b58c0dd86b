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
