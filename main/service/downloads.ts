/**
 * Browser mode's downloads: what the app saves or exports lands in the data folder on the serving machine,
 * which may not be the machine with the browser (an SSH tunnel). Each written file gets a link the page can
 * download through the same token-guarded server. Only files under the data folder's `exports/` and `saved/`
 * are reachable, by their path relative to one of those, never through `..` or a link leading elsewhere.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DOWNLOAD_PATH, type DownloadLink } from '../../common/contract.js';
import type { DataLayout } from './data-dir.js';

const AREAS = ['exports', 'saved'] as const;
type Area = (typeof AREAS)[number];

function within(root: string, file: string): string | null {
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : null;
}

/** Links for the files written under exports/ or saved/ (others get none). */
export function downloadLinks(layout: DataLayout, files: string[]): DownloadLink[] {
  const links: DownloadLink[] = [];
  for (const file of files) {
    for (const area of AREAS) {
      const rel = within(layout[area], path.resolve(file));
      if (!rel) continue;
      const href = DOWNLOAD_PATH + [area, ...rel.split(path.sep)].map(encodeURIComponent).join('/');
      links.push({ name: path.basename(file), href });
    }
  }
  return links;
}

/** The file a download URL path names, or null when it names nothing downloadable. */
export async function resolveDownload(layout: DataLayout, urlPath: string): Promise<string | null> {
  if (!urlPath.startsWith(DOWNLOAD_PATH)) return null;
  let segments: string[];
  try {
    segments = urlPath.slice(DOWNLOAD_PATH.length).split('/').map(decodeURIComponent);
  } catch {
    return null;
  }
  const [area, ...rest] = segments;
  if (!(AREAS as readonly string[]).includes(area) || rest.length === 0) return null;
  if (rest.some((s) => s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\\') || s.includes('\0'))) return null;
  try {
    const root = await realpath(layout[area as Area]);
    const file = await realpath(path.join(root, ...rest));
    if (!within(root, file)) return null; // a symbolic link out of the area
    return (await stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}
