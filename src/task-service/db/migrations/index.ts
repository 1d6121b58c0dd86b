import * as m001 from './001-tasks';
import * as m002 from './002-owner';
import * as m003 from './003-refunded-attempts';
import * as m004 from './004-settings';
import * as m005 from './005-write-probe';
import * as m006 from './006-children-by-state';
import * as m007 from './007-events-seq';
import * as m008 from './008-lean-tasks';
import * as m009 from './009-children-index';

/** One schema step; `version` is its position (1-based, contiguous). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The step rebuilds a table others reference: the runner turns foreign keys off around it (a
   * DROP would otherwise cascade) and checks every reference before it commits.
   */
  rebuildsTables?: boolean;
}

/** Every migration, in order. Append only; never edit or reorder a released one. */
export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009];

export const LATEST_VERSION = MIGRATIONS.length;
