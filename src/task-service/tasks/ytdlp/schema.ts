import { z } from 'zod';

/**
 * The parts of yt-dlp's JSON (-J) we use. yt-dlp prints far more (formats, thumbnails,
 * subtitles); unknown keys are dropped. Fields yt-dlp may print as null are nullish here.
 */

const text = z.string().max(100_000);

/** One entry of `--flat-playlist -J`: often only a URL and a title (an RSS enclosure has no id). */
export const flatEntry = z.object({
  _type: text.nullish(),
  id: text.nullish(),
  url: text.nullish(),
  webpage_url: text.nullish(),
  title: text.nullish(),
  ie_key: text.nullish(),
});

/** A playlist; a single video listed with --flat-playlist has no `entries`. */
export const flatListing = z.object({
  _type: text.nullish(),
  id: text.nullish(),
  title: text.nullish(),
  url: text.nullish(),
  webpage_url: text.nullish(),
  ext: text.nullish(),
  // Unavailable entries may be printed as null; they are kept so they can be reported.
  entries: z.array(flatEntry.nullable()).nullish(),
});

/** A resolved video with the chosen format's fields at the top level. */
export const videoInfo = z.object({
  _type: text.nullish(),
  id: text,
  title: text.nullish(),
  ext: text.nullish(),
  url: text.nullish(),
  protocol: text.nullish(),
  http_headers: z.record(z.string(), z.string()).nullish(),
  filesize: z.number().int().min(0).nullish(),
  // Present when the selected format needs merging (video + audio): not a single file.
  requested_formats: z.array(z.unknown()).nullish(),
});

export type FlatEntry = z.infer<typeof flatEntry>;
export type FlatListing = z.infer<typeof flatListing>;
export type VideoInfo = z.infer<typeof videoInfo>;
