/**
 * Files the page sends itself (browser mode has no native dialogs): plain names, base64 bytes, limits on the
 * number of files, each file's size and their total. A name is only ever used inside a folder main chose, so
 * anything that could reach outside it (a separator, `..`) or that some file system refuses is turned away.
 */
import { z } from 'zod';

/** Characters no plain file name needs: separators on any platform, Windows' reserved ones, and controls. */
const UNSAFE_NAME = /[\\/:*?"<>|]/;
const hasControl = (n: string) => [...n].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

export const plainFileName = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !UNSAFE_NAME.test(n) && !hasControl(n), 'a plain file name, without folders or the characters \\ / : * ? " < > |')
  .refine((n) => n !== '.' && n !== '..' && n.trim() === n && !n.endsWith('.'), 'not a usable file name');

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The byte count base64 text decodes to. */
export function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/**
 * `allowEmpty`: an empty image is one more image that cannot be read, reported with the others' predictions;
 * an empty model file is refused at once.
 */
export function uploads(limits: { maxFiles: number; maxFileBytes: number; maxTotalBytes: number; allowEmpty?: boolean }) {
  const file = z.strictObject({
    name: plainFileName,
    contentBase64: z
      .string()
      // Checked before the pattern, so an oversize upload is refused without scanning it.
      .max(Math.ceil(limits.maxFileBytes / 3) * 4 + 4, { message: `larger than ${mb(limits.maxFileBytes)}`, abort: true })
      .refine((t) => t.length % 4 === 0 && BASE64.test(t), 'not base64 text'),
  });
  return z
    .array(file)
    .min(1)
    .max(limits.maxFiles)
    .superRefine((files, ctx) => {
      const seen = new Set<string>();
      let total = 0;
      files.forEach((f, i) => {
        const bytes = base64Bytes(f.contentBase64);
        if (bytes > limits.maxFileBytes)
          ctx.addIssue({ code: 'custom', path: [i, 'contentBase64'], message: `${f.name} is larger than ${mb(limits.maxFileBytes)}` });
        if (bytes === 0 && !limits.allowEmpty) ctx.addIssue({ code: 'custom', path: [i, 'contentBase64'], message: `${f.name} is empty` });
        if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${f.name} is sent twice` });
        seen.add(f.name);
        total += bytes;
      });
      if (total > limits.maxTotalBytes)
        ctx.addIssue({ code: 'custom', path: [], message: `the files together are larger than ${mb(limits.maxTotalBytes)}` });
    });
}
