import type BetterSqlite3 from 'better-sqlite3';

/** A better-sqlite3 connection. */
export type Db = BetterSqlite3.Database;
export type Stmt<P extends unknown[] = unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

/**
 * A SQL operation bound lazily to a connection: prepared on first use per connection and
 * cached, so hot paths never re-parse SQL. The WeakMap lets a closed connection be collected.
 */
export type SqlOp<P extends unknown[] = unknown[], R = unknown> = (db: Db) => Stmt<P, R>;

export function sqlOp<P extends unknown[] = unknown[], R = unknown>(text: string): SqlOp<P, R> {
  const cache = new WeakMap<Db, Stmt<P, R>>();
  return (db) => {
    let stmt = cache.get(db);
    if (stmt === undefined) {
      stmt = db.prepare(text) as unknown as Stmt<P, R>;
      cache.set(db, stmt);
    }
    return stmt;
  };
}

/** Like sqlOp, for statements whose text depends on a small set of shapes (list filters). */
export function sqlShapes<P extends unknown[] = unknown[], R = unknown>(): (db: Db, text: string) => Stmt<P, R> {
  const cache = new WeakMap<Db, Map<string, Stmt<P, R>>>();
  return (db, text) => {
    let byText = cache.get(db);
    if (byText === undefined) {
      byText = new Map();
      cache.set(db, byText);
    }
    let stmt = byText.get(text);
    if (stmt === undefined) {
      stmt = db.prepare(text) as unknown as Stmt<P, R>;
      byText.set(text, stmt);
    }
    return stmt;
  };
}
