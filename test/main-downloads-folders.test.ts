import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseDownloadsFolder, downloadsDirFlags, GrantedFolders, type ShowOpenDialog } from '../src/main/downloads-folders';
import type { GrantFolderMessage } from '../src/main/service-protocol';
import { waitFor } from './support/engine-harness';
import { tmpDir } from './support/tmp';
import { killAll, startService } from './support/service-process';

/**
 * How hosts grant the service more downloads folders: the web host's --downloads-dir flags and
 * Electron's folder dialog (its function passed in, as with the supervisor), remembered across
 * restarts and handed to the running service over its parent port.
 */

afterEach(killAll);

describe('granting downloads folders', () => {
  it('--downloads-dir is repeatable and takes comma lists; paths become absolute', () => {
    const argv = ['node', 'start-web.ts', '--port=1', '--downloads-dir=/a', '--downloads-dir', '/b,/c', '--downloads-dir=rel', '--downloads-dir=/a'];
    expect(downloadsDirFlags(argv, '/cwd')).toEqual(['/a', '/b', '/c', '/cwd/rel']);
    expect(downloadsDirFlags(['node', 'x', '--downloads-dir'], '/cwd')).toEqual([]);
  });

  it('granted folders are remembered in a file across restarts; a damaged file means none', () => {
    const file = path.join(tmpDir('grants-'), 'granted-folders.json');
    const first = new GrantedFolders(file);
    expect(first.add('/media/usb')).toEqual({ type: 'grant-folder', dir: '/media/usb' });
    first.add('/media/usb');
    expect(new GrantedFolders(file).list()).toEqual(['/media/usb']);
    fs.writeFileSync(file, '{not json');
    expect(new GrantedFolders(file).list()).toEqual([]);
  });

  it('the folder dialog: cancel grants nothing; a choice is remembered and reaches the running service', async () => {
    const base = tmpDir('grant-dialog-');
    const chosen = path.join(base, 'Chosen');
    const granted = new GrantedFolders(path.join(base, 'granted-folders.json'));
    const sent: GrantFolderMessage[] = [];
    const asked: Array<Parameters<ShowOpenDialog>[0]> = [];
    const cancelled: ShowOpenDialog = async (o) => (asked.push(o), { canceled: true, filePaths: [] });
    expect(await chooseDownloadsFolder(cancelled, granted, (m) => sent.push(m))).toBeNull();
    expect(asked[0]?.properties).toContain('openDirectory');
    expect(sent).toEqual([]);

    const svc = startService({ dbPath: path.join(base, 'tasks.db'), downloadsDir: path.join(base, 'Downloads') });
    await svc.ready;
    const picked: ShowOpenDialog = async () => ({ canceled: false, filePaths: [chosen] });
    expect(await chooseDownloadsFolder(picked, granted, (m) => svc.host.postMessage(m))).toBe(chosen);
    expect(granted.list()).toEqual([chosen]);
    const client = svc.client();
    await waitFor(() => svc.logs.some((l) => l.msg === 'downloads folder granted'), 'the grant');
    expect((await client.service.health.query()).downloadsRoots).toEqual([path.join(base, 'Downloads'), chosen]);
  });
});
