/**
 * What the Electron preload offers beyond the service port: a folder picker (main's
 * dialog.showOpenDialog) and Show in folder / Open for a finished task. Main takes the path
 * from the service by task id; the page never hands it a path. In a plain browser none of
 * this exists and the page offers Copy path instead.
 */

export type FileAction = 'show-in-folder' | 'open-file';

interface DesktopBridge {
  host?: string;
  pickFolder?: () => Promise<string | null>;
  fileAction?: (action: FileAction, id: string) => Promise<{ ok: boolean; message?: string }>;
}

function bridge(): DesktopBridge | undefined {
  return (window as { playlistify?: DesktopBridge }).playlistify;
}

export function hostKind(): 'electron' | 'web' {
  return bridge()?.host === 'electron' ? 'electron' : 'web';
}

export function canPickFolder(): boolean {
  return typeof bridge()?.pickFolder === 'function';
}

export async function pickFolder(): Promise<string | null> {
  return (await bridge()?.pickFolder?.()) ?? null;
}

/** Asks main to show or open a finished task's file; the answer says why when it cannot. */
export async function fileAction(action: FileAction, id: string): Promise<{ ok: boolean; message?: string }> {
  const b = bridge();
  if (!b?.fileAction) return { ok: false, message: 'Only the desktop app can open files.' };
  return b.fileAction(action, id);
}

/** Copies text with the async clipboard, falling back to a selection for older engines. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
