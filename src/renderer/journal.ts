import type { Page, TaskEvent } from '../shared/task';

/**
 * The selected task's journal as the Details drawer knows it: pages from tasks.events (oldest
 * first) plus the events the watch appends live. A history cut at the page limit is not
 * extended live (the gap would not show) until the person has paged to its end.
 */
export class Journal {
  events: TaskEvent[] = [];
  private live = true;
  private cursor: string | null = null;

  constructor(readonly taskId: string) {}

  /** More of the journal can be paged in. */
  get more(): boolean {
    return this.cursor !== null;
  }

  get nextCursor(): string | null {
    return this.cursor;
  }

  /** A watched event; replayed or already listed ones are skipped. Returns whether it grew. */
  append(event: TaskEvent): boolean {
    if (event.taskId !== this.taskId || !this.live) return false;
    const last = this.events[this.events.length - 1];
    if (last && event.seq <= last.seq) return false;
    this.events.push(event);
    return true;
  }

  /** A page arrived: the first page (`continued` false) replaces what is known, later pages extend it. */
  absorb(page: Page<TaskEvent>, continued: boolean): void {
    const before = continued ? this.events.filter((e) => e.seq < (page.items[0]?.seq ?? Infinity)) : [];
    // Events the watch appended while this page was on its way are kept after it.
    const lastListed = page.items[page.items.length - 1]?.seq ?? -1;
    const after = this.events.filter((e) => e.seq > lastListed && (continued || this.live));
    this.events = [...before, ...page.items, ...after];
    this.live = page.nextCursor === null;
    this.cursor = page.nextCursor;
  }
}
