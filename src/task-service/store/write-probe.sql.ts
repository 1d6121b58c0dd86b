import { sqlOp } from '../db/statement';

/** A row of `bytes` zero bytes (stored for real: new pages are allocated and written). Params: [bytes]. */
export const insertProbe = sqlOp<[number]>('INSERT INTO write_probe (data) VALUES (zeroblob(?))');

/** No params. */
export const deleteProbes = sqlOp<[]>('DELETE FROM write_probe');
