/**
 * Measurements that run inside the page (bench/ui.ts). Plain JavaScript in a string: a
 * function passed to page.evaluate would carry the TypeScript loader's helpers with it.
 * "Done" means after the next frame was produced: a rAF callback, then a task after it.
 */

export interface Probes {
  frameRate(ms: number): Promise<number>;
  startTypingLag(): Promise<void>;
  stopTypingLag(): Promise<number[]>;
  search(text: string): Promise<number>;
  filter(value: string): Promise<number>;
}

export const UI_PAGE_PROBES = `
(() => {
  const afterFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const lags = [];
  const onKey = (e) => { const t0 = e.timeStamp; requestAnimationFrame(() => setTimeout(() => lags.push(performance.now() - t0), 0)); };
  window.__probes = {
    frameRate(ms) {
      return new Promise((resolve) => {
        let frames = 0;
        const t0 = performance.now();
        const step = (t) => { frames += 1; if (t - t0 < ms) requestAnimationFrame(step); else resolve(Math.round((frames * 1000 / (t - t0)) * 10) / 10); };
        requestAnimationFrame(step);
      });
    },
    async startTypingLag() { lags.length = 0; document.addEventListener('keydown', onKey, true); },
    async stopTypingLag() { await afterFrame(); document.removeEventListener('keydown', onKey, true); return lags.slice(); },
    async search(text) {
      const input = document.getElementById('search');
      const t0 = performance.now();
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await afterFrame();
      return Math.round((performance.now() - t0) * 10) / 10;
    },
    async filter(value) {
      const select = document.getElementById('state-filter');
      const t0 = performance.now();
      select.value = value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
      await afterFrame();
      return Math.round((performance.now() - t0) * 10) / 10;
    },
  };
})();
`;
