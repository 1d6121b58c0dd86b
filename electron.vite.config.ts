import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

/**
 * Three builds: main (ESM, Node; the service entry is bundled separately through its
 * `?modulePath` import and forked as a utilityProcess), preload (CommonJS: sandboxed preloads
 * cannot be ES modules), renderer (the Activity Center, plain DOM).
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // better-sqlite3 is loaded by the service through `nativeBinding`; never bundle it.
      externalizeDeps: true,
      rollupOptions: { input: { index: resolve('src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
