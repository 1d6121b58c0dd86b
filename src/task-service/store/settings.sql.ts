import { sqlOp } from '../db/statement';

/** Params: [key]. */
export const selectSetting = sqlOp<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');

/** Params: [key, valueJson, updatedAt]. */
export const upsertSetting = sqlOp<[string, string, number]>(
  `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
   ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
);
