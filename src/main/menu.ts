import type { MenuItemConstructorOptions } from 'electron';

/**
 * The application menu. Electron's default menu carries Toggle DevTools and Reload; ours has
 * them only in development (see dev-mode.ts). A template of plain objects, so tests check what
 * a production build offers without Electron.
 */

export interface MenuOptions {
  platform: NodeJS.Platform;
  dev: boolean;
  appName: string;
  updatesEnabled: boolean;
  openLogsFolder(): void;
  setUpdatesEnabled(enabled: boolean): void;
}

export function appMenuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const mac = o.platform === 'darwin';
  const help: MenuItemConstructorOptions = {
    label: 'Help',
    submenu: [
      { label: 'Open Logs Folder', click: () => o.openLogsFolder() },
      {
        label: 'Check for Updates Automatically',
        type: 'checkbox',
        checked: o.updatesEnabled,
        click: (item) => o.setUpdatesEnabled(item.checked),
      },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(o.dev ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as const) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  return [
    ...(mac ? [{ label: o.appName, role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [mac ? { role: 'close' as const } : { role: 'quit' as const }] },
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
    help,
  ];
}

/** Roles that open development tools or reload the page: none may appear in production. */
export const DEV_ONLY_ROLES: ReadonlySet<string> = new Set(['toggleDevTools', 'reload', 'forceReload']);

/** Every role in a template, submenus included (what a test or a reviewer checks). */
export function rolesIn(template: readonly MenuItemConstructorOptions[]): string[] {
  const out: string[] = [];
  for (const item of template) {
    if (item.role) out.push(item.role);
    if (Array.isArray(item.submenu)) out.push(...rolesIn(item.submenu));
  }
  return out;
}
