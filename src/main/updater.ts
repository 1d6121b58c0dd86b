/**
 * Automatic updates through electron-updater, behind the `updates.enabled` setting, which is off
 * by default. While it is off nothing of electron-updater is even loaded, so no network call can
 * happen; turning it on checks at once and then every `intervalMs`. Electron-free: the updater
 * is loaded through an injected function (a dynamic import in the app) and tests pass a fake.
 */

/** The part of electron-updater's AppUpdater this module uses. */
export interface UpdaterLike {
  checkForUpdatesAndNotify(): Promise<unknown>;
}

export interface UpdatesDeps {
  /** Loads electron-updater (only called once updates are enabled). */
  loadUpdater(): Promise<UpdaterLike>;
  /**
   * Why updates cannot run in this build, or null: an unpackaged app, or a build made without a
   * `publish` provider (no app-update.yml beside the app, see the README).
   */
  unavailable(): string | null;
  log(level: 'info' | 'warn', text: string): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  intervalMs?: number;
}

export const UPDATE_INTERVAL_MS = 6 * 60 * 60 * 1000;

export class UpdateController {
  private timer: unknown = null;
  private updater: Promise<UpdaterLike> | null = null;
  private enabled = false;

  constructor(private readonly deps: UpdatesDeps) {}

  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Applies the setting; returns the reason updates stay off, or null when they run. */
  setEnabled(enabled: boolean): string | null {
    this.enabled = enabled;
    if (!enabled) {
      this.stopTimer();
      return 'turned off';
    }
    const why = this.deps.unavailable();
    if (why !== null) {
      this.deps.log('info', `updates: not checking (${why})`);
      return why;
    }
    if (this.timer === null) {
      void this.check();
      this.timer = this.deps.setInterval(() => void this.check(), this.deps.intervalMs ?? UPDATE_INTERVAL_MS);
    }
    return null;
  }

  private async check(): Promise<void> {
    if (!this.enabled) return;
    try {
      this.updater ??= this.deps.loadUpdater();
      const updater = await this.updater;
      if (!this.enabled) return; // turned off while loading
      this.deps.log('info', 'updates: checking');
      await updater.checkForUpdatesAndNotify();
    } catch (e) {
      // A failed check (offline, feed down) is logged and retried at the next interval.
      this.deps.log('warn', `updates: check failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private stopTimer(): void {
    if (this.timer !== null) this.deps.clearInterval(this.timer);
    this.timer = null;
  }
}
