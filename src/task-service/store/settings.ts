import type { Db } from '../db/statement';
import { selectSetting, upsertSetting } from './settings.sql';

/**
 * Service settings that must survive a restart (e.g. the queue-wide pause), as JSON values by
 * key (migration 004). Writes are their own transactions (the store's `write`).
 */

export class Settings {
  constructor(
    private readonly db: Db,
    private readonly write: <T>(fn: () => T) => T,
    private readonly read: <T>(fn: () => T) => T,
  ) {}

  /** A persisted setting (JSON), or undefined when never set. */
  get(key: string): unknown {
    return this.read(() => {
      const row = selectSetting(this.db).get(key);
      return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
    });
  }

  /** Persists a setting (JSON-serializable). */
  set(key: string, value: unknown, now: number): void {
    this.write(() => upsertSetting(this.db).run(key, JSON.stringify(value ?? null), now));
  }
}
