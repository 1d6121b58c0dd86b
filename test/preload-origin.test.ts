import { describe, expect, it } from 'vitest';
import { PAGE_ORIGIN_ARG } from '../src/shared/ipc';
import { expectedPageOrigin, mayForward } from '../src/preload/origin';

/** Regression: the preload posted the service port to '*'; now only to the origin main names. */

describe('preload target origin', () => {
  it('takes the page origin main put on the command line', () => {
    expect(expectedPageOrigin(['electron', `${PAGE_ORIGIN_ARG}app://playlistify`])).toBe('app://playlistify');
    expect(expectedPageOrigin([`${PAGE_ORIGIN_ARG}http://localhost:5173`])).toBe('http://localhost:5173');
  });

  it('forwards nothing without a usable origin, or when the page has another origin', () => {
    expect(expectedPageOrigin(['electron'])).toBeNull();
    expect(expectedPageOrigin([`${PAGE_ORIGIN_ARG}*`])).toBeNull();
    expect(expectedPageOrigin([`${PAGE_ORIGIN_ARG}app://playlistify/index.html`])).toBeNull();
    expect(mayForward(null, 'app://playlistify')).toBe(false);
    expect(mayForward('app://playlistify', 'https://evil.example')).toBe(false);
    expect(mayForward('app://playlistify', 'null')).toBe(false);
    expect(mayForward('app://playlistify', 'app://playlistify')).toBe(true);
  });
});
