import { visibleRows, type Row, type Sort } from './order';
import type { ActivityModel, Filter } from './store';

/**
 * What the person asked the list to show: the state filter, the search text, the sort and the
 * collapsed playlists; and the flat rows that follow from them, cached until the model's
 * `version` or a setting changes (a progress tick never recomputes them).
 */
export class ListQuery {
  filter: Filter = 'all';
  /** Lower-cased, trimmed search text. */
  search = '';
  sort: Sort = 'newest';
  readonly collapsed = new Set<string>();
  private cache: { version: number; key: string; rows: Row[] } | null = null;

  /** `changed` is told which rows to repaint besides the new order. */
  constructor(private readonly model: ActivityModel, private readonly changed: (ids: Set<string>) => void) {}

  rows(): Row[] {
    const key = `${this.filter}|${this.search}|${this.sort}|${[...this.collapsed].join(',')}`;
    const c = this.cache;
    if (c && c.version === this.model.version && c.key === key) return c.rows;
    const rows = visibleRows(this.model, { filter: this.filter, search: this.search, sort: this.sort, collapsed: this.collapsed });
    this.cache = { version: this.model.version, key, rows };
    return rows;
  }

  setFilter(filter: Filter): void {
    this.filter = filter;
    this.changed(new Set());
  }

  setSearch(text: string): void {
    this.search = text.trim().toLowerCase();
    this.changed(new Set());
  }

  setSort(sort: Sort): void {
    this.sort = sort;
    this.changed(new Set());
  }

  /** Collapses or expands a playlist (`open` forces a side). */
  toggleCollapsed(id: string, open?: boolean): void {
    const isOpen = !this.collapsed.has(id);
    if (open === isOpen) return;
    if (isOpen) this.collapsed.add(id);
    else this.collapsed.delete(id);
    this.changed(new Set([id]));
  }
}
