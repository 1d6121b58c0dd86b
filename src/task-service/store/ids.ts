import { randomBytes } from 'node:crypto';

/**
 * Time-sortable ids (ULID layout): 10 Crockford base-32 characters of milliseconds, then 16 of
 * randomness. Within one millisecond (or if the clock steps back) the random part is
 * incremented, so ids from one process are strictly increasing and `ORDER BY id` is creation
 * order. Across processes the order follows the wall clock.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LEN = 10;
const RAND_LEN = 16;

let lastTime = -1;
let lastRand: number[] = [];

function freshRandom(): number[] {
  const bytes = randomBytes(RAND_LEN);
  return Array.from(bytes, (b) => b & 31);
}

/** Adds one to the base-32 digits; on overflow (2^80 ids in one ms) it moves to the next ms. */
function increment(digits: number[]): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]! += 1;
      return true;
    }
    digits[i] = 0;
  }
  return false;
}

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < TIME_LEN; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** A new id, greater than every id this process made before. */
export function newId(now: number = Date.now()): string {
  let t = Math.max(Math.floor(now), lastTime);
  if (t === lastTime) {
    if (!increment(lastRand)) {
      t += 1;
      lastRand = freshRandom();
    }
  } else {
    lastRand = freshRandom();
  }
  lastTime = t;
  return encodeTime(t) + lastRand.map((d) => ALPHABET[d]).join('');
}

/** Milliseconds encoded in an id (for diagnostics and tests). */
export function idTime(id: string): number {
  let ms = 0;
  for (const ch of id.slice(0, TIME_LEN)) ms = ms * 32 + ALPHABET.indexOf(ch);
  return ms;
}
