/**
 * Regenerates schema.sql from the migrations: `npx tsx src/task-service/db/dump-schema.ts`.
 * Uses an in-memory database so nothing on disk is touched.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { migrate } from './migrate';
import { dumpSchema } from './schema';

const SCHEMA_FILE = fileURLToPath(new URL('./schema.sql', import.meta.url));

const db = new Database(':memory:');
migrate(db, { now: 0 });
writeFileSync(SCHEMA_FILE, dumpSchema(db));
db.close();
console.log(`wrote ${SCHEMA_FILE}`);
