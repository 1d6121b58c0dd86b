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
  return perConnection((db) => db.prepare(text) as unknown as Stmt<P, R>);
}

/** Like sqlOp, for statements whose text depends on a small set of shapes (list filters). */
export function sqlShapes<P extends unknown[] = unknown[], R = unknown>(): (db: Db, text: string) => Stmt<P, R> {
  return perConnectionByText((db, text) => db.prepare(text) as unknown as Stmt<P, R>);
}

/** What `make` builds for a connection (a prepared statement, a wrapper around one), built once per connection. */
export function perConnection<T>(make: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let value = cache.get(db);
    if (value === undefined) {
      value = make(db);
      cache.set(db, value);
    }
    return value;
  };
}

/** perConnection, once per connection and statement text. */
export function perConnectionByText<T>(make: (db: Db, text: string) => T): (db: Db, text: string) => T {
  const cache = perConnection(() => new Map<string, T>());
  return (db, text) => {
    const byText = cache(db);
    let value = byText.get(text);
    if (value === undefined) {
      value = make(db, text);
      byText.set(text, value);
    }
    return value;
  };
}
