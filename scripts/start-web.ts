// `npm run start:web`: the Activity Center in a browser, for machines where Electron cannot
// start. Builds the renderer, starts the service under the Node host, serves on 127.0.0.1.
// Flags: --port=N (default 5174), --user-data-dir=DIR (default ./.playlistify-web),
// --downloads-dir=DIR (repeatable or a comma list: more folders downloads may go to).
import path from 'node:path';
import { userDataOverride } from '../src/main/app-config';
import { downloadsDirFlags } from '../src/main/downloads-folders';
import { buildRenderer, startWebDev } from '../src/main/web-dev';

const portArg = process.argv.find((a) => a.startsWith('--port='));
const port = portArg ? Number(portArg.slice('--port='.length)) : 5174;
const userDataDir = userDataOverride(process.argv, process.env) ?? path.resolve('.playlistify-web');

const rendererDir = await buildRenderer();
const dev = await startWebDev({ userDataDir, rendererDir, port, downloadsRoots: downloadsDirFlags(process.argv) });
console.log(`Playlistify Activity Center: ${dev.url}  (data in ${userDataDir}; Ctrl+C to stop)`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await dev.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
