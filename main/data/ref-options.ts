/** Parses the `#size=32x32,channels=1,resize=crop,nocache` options of a `folder:` dataset reference. */
import { DatasetError } from './dataset.js';
import type { FolderOptions } from './image-folder.js';
import { RESIZE_MODES, type ResizeMode } from './image-decode.js';

export function parseFolderOptions(fragment: string | undefined): FolderOptions {
  const options: FolderOptions = {};
  if (!fragment) return options;
  for (const part of fragment.split(',')) {
    const [key, value = ''] = part.split('=');
    if (key === 'size') {
      const m = /^(\d+)(?:x(\d+))?$/.exec(value);
      const h = m ? Number(m[1]) : NaN;
      const w = m?.[2] ? Number(m[2]) : h;
      if (!m || h < 1 || w < 1 || h > 4096 || w > 4096)
        throw new DatasetError(`folder: size "${value}" must be HEIGHTxWIDTH (e.g. 32x32) or one number, 1 to 4096`);
      options.size = [h, w];
    } else if (key === 'channels') {
      if (value !== '1' && value !== '3') throw new DatasetError(`folder: channels "${value}" must be 1 (grayscale) or 3 (RGB)`);
      options.channels = value === '1' ? 1 : 3;
    } else if (key === 'resize') {
      if (!(value in RESIZE_MODES))
        throw new DatasetError(`folder: resize "${value}" must be one of ${Object.keys(RESIZE_MODES).join(', ')}`);
      options.resize = value as ResizeMode;
    } else if (key === 'nocache') {
      options.cache = false;
    } else {
      throw new DatasetError(`folder: unknown option "${key}"; use size=HxW, channels=1|3, resize=stretch|crop|pad, nocache`);
    }
  }
  return options;
}
