import { abortedOr, httpGet } from '../http-get';
import type { YtDlp } from '../ytdlp/ytdlp';
import { HttpJsonManifestSource } from './http-json-source';
import type { ManifestSource, SourcedManifest } from './manifest';
import { YtDlpPlaylistSource } from './ytdlp-source';

/**
 * The playlist source the app uses: our JSON manifest when the address answers with JSON, else
 * whatever yt-dlp can list (a YouTube playlist, an RSS feed...). One GET decides, and only its
 * headers are read unless it is JSON, so a 1 MB watch page is not downloaded just to be ignored.
 * A server that fails the GET is left to yt-dlp, which knows the sites that refuse plain clients.
 */
export class AutoPlaylistSource implements ManifestSource {
  private readonly json = new HttpJsonManifestSource();
  private readonly listed: YtDlpPlaylistSource;

  constructor(ytdlp: YtDlp, private readonly idleTimeoutMs = 30_000) {
    this.listed = new YtDlpPlaylistSource(ytdlp);
  }

  async fetch(url: string, signal: AbortSignal, log: (line: string) => void = () => undefined): Promise<SourcedManifest> {
    const answer = await httpGet(new URL(url), { signal, idleTimeoutMs: this.idleTimeoutMs, headers: { accept: 'application/json, */*;q=0.5' } }).catch((e: unknown) => {
      throw abortedOr(signal, e);
    });
    try {
      const type = String(answer.res.headers['content-type'] ?? '').toLowerCase();
      if (answer.res.statusCode === 200 && /^application\/([\w.+-]+\+)?json\b/.test(type)) return await this.json.read(answer, url, signal);
    } finally {
      answer.close();
    }
    return this.listed.fetch(url, signal, log);
  }
}
