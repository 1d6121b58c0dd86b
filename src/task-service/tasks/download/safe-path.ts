import path from 'node:path';
import { PermanentError } from '../../engine/define';

/**
 * File names for downloads, one rule set for every platform we ship to (a name that is fine on
 * Linux may be a device, a stream or a different file on Windows). A caller-supplied filename
 * is refused with the reason (we never silently rewrite what the user typed); names we derive
 * from untrusted text (URL paths, Content-Disposition, playlist titles) are sanitized instead,
 * because there is nobody to refuse. Folders are roots.ts's and prepare-dir.ts's business.
 */

// ext4/APFS/NTFS allow 255 bytes per name; keep room for ".part" and a " [id]" suffix.
const MAX_NAME_BYTES = 200;
/** C0 and C1 controls, DEL, and the line/paragraph separators: never part of a name. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Bidi controls reorder how a name displays ("\u202Egpj.exe" shows as "exe.jpg"). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Characters Windows refuses in names (":" would also open an NTFS stream). */
const RESERVED_CHARS = /[<>:"/\\|?*]/;
/** Device names Windows reserves whatever the extension ("con.mp4", "COM1 .txt", "lpt\u00b9"). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])\s*(\..*)?$/i;
/** Half of a UTF-16 pair (JSON titles can carry one): not encodable as UTF-8. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const utf8 = new TextEncoder();

const globally = (re: RegExp): RegExp => new RegExp(re.source, 'g');

/** Why `name` is not an acceptable single path component, or null when it is. */
export function filenameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (name === '.' || name === '..') return 'names a directory';
  if (CONTROL.test(name)) return 'contains a control character';
  if (BIDI.test(name)) return 'contains a bidirectional control character, which disguises the real extension';
  if (RESERVED_CHARS.test(name)) return 'contains one of the characters <>:"|?* that Windows reserves';
  if (/[.\s]$/.test(name)) return 'ends with a dot or a space, which Windows drops';
  if (WINDOWS_RESERVED.test(name)) return 'is a device name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9)';
  if (utf8.encode(name).length > MAX_NAME_BYTES) return `is longer than ${MAX_NAME_BYTES} bytes`;
  if (name.toLowerCase().endsWith('.part')) return 'ends with .part, which is reserved for partial downloads';
  return null;
}

/**
 * Why Windows would not take `name` as one folder of a path (a device, a stream, a name it
 * trims), or null. Folders a caller names are checked with this on Windows; they are not
 * files, so the length and .part rules do not apply.
 */
export function windowsComponentProblem(name: string): string | null {
  if (name === '.' || name === '..') return null;
  if (CONTROL.test(name)) return 'contains a control character';
  if (RESERVED_CHARS.test(name)) return 'contains one of the characters <>:"|?* that Windows reserves';
  if (/[.\s]$/.test(name)) return 'ends with a dot or a space, which Windows drops';
  if (WINDOWS_RESERVED.test(name)) return 'is a device name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9)';
  return null;
}

/** Throws BAD_INPUT unless `name` is a plain filename. */
export function checkFilename(name: string): string {
  const problem = filenameProblem(name);
  if (problem) throw new PermanentError('BAD_INPUT', `The filename ${JSON.stringify(name)} ${problem}; give a plain file name without directories.`);
  return name;
}

/** The longest prefix of `text` (whole code points) that fits in `maxBytes` of UTF-8. */
function truncateBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    bytes += utf8.encode(ch).length;
    if (bytes > maxBytes) break;
    out += ch;
  }
  return out;
}

/**
 * Turns untrusted text (a server's name, a playlist title) into a name that passes
 * filenameProblem on every platform we ship to; falls back when nothing usable is left.
 */
export function sanitizeFilename(raw: string, fallback = 'download', maxBytes = MAX_NAME_BYTES): string {
  let name = raw.replace(LONE_SURROGATE, '_').normalize('NFC').replace(globally(BIDI), '');
  name = name.replace(globally(CONTROL), '_').replace(globally(RESERVED_CHARS), '_').replace(/\s+/g, ' ');
  // A leading dot hides the file on Unix; Windows drops trailing dots and spaces.
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (name.toLowerCase().endsWith('.part')) name = `${name}_`;
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  if (utf8.encode(name).length > maxBytes) {
    // Keep a short extension: the file type matters more than the tail of a long title.
    const ext = path.extname(name);
    const keepExt = ext.length > 1 && ext.length <= 10 ? ext : '';
    const stem = truncateBytes(name.slice(0, name.length - keepExt.length), maxBytes - utf8.encode(keepExt).length);
    name = stem.replace(/[.\s]+$/, '') + keepExt;
  }
  return name.length === 0 || filenameProblem(name) ? fallback : name;
}

/** The filename a Content-Disposition header proposes (RFC 6266: filename* wins), or null. */
export function filenameFromContentDisposition(header: string | undefined): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star?.[2]) {
    try {
      return decodeURIComponent(star[2].trim().replace(/^"|"$/g, ''));
    } catch {
      // A malformed percent-encoding: fall through to the plain parameter.
    }
  }
  const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
  const value = plain?.[1]?.replace(/\\(.)/g, '$1') ?? plain?.[2]?.trim();
  return value && value.length > 0 ? value : null;
}

/** The last non-empty path segment of a URL, percent-decoded, or null. */
export function filenameFromUrl(url: URL): string | null {
  const segment = url.pathname.split('/').filter((s) => s.length > 0).pop();
  if (!segment) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Picks and sanitizes a filename for a response that came without one from the caller. */
export function deriveFilename(contentDisposition: string | undefined, finalUrl: URL, requestedUrl: URL): string {
  const proposed = filenameFromContentDisposition(contentDisposition) ?? filenameFromUrl(finalUrl) ?? filenameFromUrl(requestedUrl);
  // Content-Disposition may carry a path ("../../etc/x"); only its last component counts.
  const base = proposed === null ? '' : (proposed.split(/[/\\]/).pop() ?? '');
  return sanitizeFilename(base, 'download');
}
