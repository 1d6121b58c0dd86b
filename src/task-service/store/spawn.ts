import { z } from 'zod';
import { LIMITS, spawnRequest, type SpawnRequest } from '../../shared/schemas';
import type { Db } from '../db/statement';
import { findByDedupeKey, findBySpawnKey } from '../db/sql/find-existing';
import { selectTaskState } from '../db/sql/select-task';
import { spawnChildren } from './create';
import { insertNew } from './insert';
import type { Created } from './types';
import { parseWith } from '../../shared/validate';

const spawnBatch = z.array(spawnRequest).min(1).max(LIMITS.graphTasks);

/**
 * Spawn that never hands a parent someone else's task. A child's dedupeKey may already be held
 * by a live task that is not this parent's child (playlists A and B both contain video X: B's
 * spawn of X found A's download). Returning that task made B's "child" one B does not own: B
 * completed while it still ran, and cancelling B left it running. Instead B gets a child of its
 * own, without the dedupeKey (the holder keeps it), that depends on the holder: it never runs at
 * the same time as the same download, and B waits for its own child. The spawn key still makes
 * the call idempotent: a re-run finds that child by key.
 *
 * Runs in the caller's transaction. Ordinary batches take the fast path (spawnChildren as is);
 * spawnChildren still validates and refuses everything the same way on either path.
 */
export function spawnOwnChildren(db: Db, parentId: string, children: SpawnRequest[], now: number): Created[] {
  const held = Array.isArray(children) ? children.map((c) => foreignHolder(db, parentId, c)) : [];
  if (!held.some((h) => h !== null)) return spawnChildren(db, parentId, children, now);
  const parsed = parseWith(spawnBatch, children, 'spawn');
  const parent = selectTaskState(db).get(parentId);
  // spawnChildren refuses a missing or not-running parent, and a foreign parentId, with its own errors.
  if (parent?.state !== 'running') return spawnChildren(db, parentId, children, now);
  return parsed.map((c, i) => {
    const holder = held[i];
    if (!holder || (c.parentId !== undefined && c.parentId !== parentId)) return spawnChildren(db, parentId, [c], now)[0]!;
    const { key, dedupeKey: _held, ...fields } = c;
    return insertNew(db, { ...fields, parentId, spawnKey: key }, now, holder.ancestor ? [] : [holder.id]);
  });
}

/**
 * The live task holding c's dedupeKey when it is not already this parent's child (and c was not
 * spawned before under its key). `ancestor`: it is the parent itself or one of its ancestors,
 * which finish only after this child does, so the child must not wait for it.
 */
function foreignHolder(db: Db, parentId: string, c: SpawnRequest): { id: string; ancestor: boolean } | null {
  if (c === null || typeof c !== 'object' || typeof c.dedupeKey !== 'string' || typeof c.key !== 'string') return null;
  if (findBySpawnKey(db).get(parentId, c.key)) return null;
  const holder = findByDedupeKey(db).get(c.dedupeKey);
  if (!holder || holder.parent_id === parentId) return null;
  for (let id: string | null = parentId, hops = 0; id !== null && hops < 10_000; hops++) {
    if (id === holder.id) return { id: holder.id, ancestor: true };
    id = selectTaskState(db).get(id)?.parent_id ?? null;
  }
  return { id: holder.id, ancestor: false };
}
