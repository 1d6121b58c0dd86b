// Worker entry when the engine runs from TypeScript sources (tsx, vitest): registers tsx's
// loader on this thread, then loads the real entry. `--import tsx` in a Worker's execArgv does
// not reach the worker's own entry on Node 20, hence this file.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./worker-entry.ts', import.meta.url).href);
