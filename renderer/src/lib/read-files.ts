/**
 * Files the person picks in the page (browser mode has no native dialogs): read here and sent as base64, so no
 * path ever travels from the page to the app.
 */
import type { UploadedFile } from '../../../common/contract.js';

/** The file as a `data:` URL (previews) and as the contract's upload (name and base64 bytes). */
export function readUpload(file: File): Promise<{ upload: UploadedFile; dataUrl: string }> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(new Error(`${file.name} could not be read: ${reader.error?.message ?? 'unknown error'}`));
    reader.onload = () => {
      const dataUrl = String(reader.result);
      const comma = dataUrl.indexOf(',');
      resolve({ upload: { name: file.name, contentBase64: comma >= 0 ? dataUrl.slice(comma + 1) : '' }, dataUrl });
    };
    reader.readAsDataURL(file);
  });
}

export async function readUploads(files: FileList | File[]): Promise<{ upload: UploadedFile; dataUrl: string }[]> {
  return Promise.all([...files].map(readUpload));
}
