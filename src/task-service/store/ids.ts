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

// Random bytes are drawn in blocks: one randomBytes call costs about as much as a whole insert,
// and at thousands of creates a second nearly every id starts a new millisecond.
const POOL_BYTES = RAND_LEN * 256;
let pool = Buffer.alloc(0);
let poolAt = 0;

function freshRandom(): number[] {
  if (poolAt + RAND_LEN > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const digits = new Array<number>(RAND_LEN);
  for (let i = 0; i < RAND_LEN; i++) digits[i] = pool[poolAt + i]! & 31;
  poolAt += RAND_LEN;
  return digits;
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

/** The time part of the last id, reused while the millisecond stays the same. */
let timeOf = -1;
let timeText = '';

function encodeTime(ms: number): string {
  if (ms === timeOf) return timeText;
  timeOf = ms;
  let out = '';
  for (let i = 0; i < TIME_LEN; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  timeText = out;
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
  let id = encodeTime(t);
  for (const d of lastRand) id += ALPHABET[d];
  return id;
}

/** Milliseconds encoded in an id (for diagnostics and tests). */
export function idTime(id: string): number {
  let ms = 0;
  for (const ch of id.slice(0, TIME_LEN)) ms = ms * 32 + ALPHABET.indexOf(ch);
  return ms;
}
