import path from 'node:path';
import { PermanentError } from '../../engine/define';

/**
 * Filenames and paths for downloads. A caller-supplied filename is checked and refused when it
 * could leave the chosen directory (we never silently rewrite what the user typed); names we
 * derive ourselves from untrusted text (URL paths, Content-Disposition, playlist titles) are
 * sanitized instead, because there is nobody to refuse.
 */

// ext4/APFS/NTFS allow 255 bytes per name; keep room for ".part" and a " [id]" suffix.
const MAX_NAME_BYTES = 200;
const UNSAFE_CHARS = /[\u0000-\u001f\u007f<>:"/\\|?*]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;
const utf8 = new TextEncoder();

/** Why `name` is not an acceptable single path component, or null when it is. */
export function filenameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (name === '.' || name === '..') return 'names a directory';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character';
  if (utf8.encode(name).length > MAX_NAME_BYTES) return `is longer than ${MAX_NAME_BYTES} bytes`;
  if (name.toLowerCase().endsWith('.part')) return 'ends with .part, which is reserved for partial downloads';
  return null;
}

/** Throws BAD_INPUT unless `name` is a plain filename. */
export function checkFilename(name: string): string {
  const problem = filenameProblem(name);
  if (problem) throw new PermanentError('BAD_INPUT', `The filename ${JSON.stringify(name)} ${problem}; give a plain file name without directories.`);
  return name;
}

function truncateBytes(text: string, maxBytes: number): string {
  let out = text;
  while (utf8.encode(out).length > maxBytes) out = Array.from(out).slice(0, -1).join('');
  return out;
}

/** Turns untrusted text into a safe filename; falls back when nothing usable is left. */
export function sanitizeFilename(raw: string, fallback = 'download', maxBytes = MAX_NAME_BYTES): string {
  let name = raw.normalize('NFC').replace(UNSAFE_CHARS, '_').replace(/\s+/g, ' ').trim();
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (name.toLowerCase().endsWith('.part')) name = `${name}_`;
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  const ext = path.extname(name);
  if (utf8.encode(name).length > maxBytes) {
    // Keep a short extension: the file type matters more than the tail of a long title.
    const keepExt = ext.length > 0 && ext.length <= 10 ? ext : '';
    name = truncateBytes(name.slice(0, name.length - keepExt.length), maxBytes - keepExt.length).trimEnd() + keepExt;
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
