/**
 * Exports that need no file path from the app: the browser (or Electron's download handling) asks where to put
 * them, so no path ever travels from the renderer to main.
 */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(fileName: string, text: string, type = 'text/plain'): void {
  downloadBlob(fileName, new Blob([text.endsWith('\n') ? text : text + '\n'], { type: `${type};charset=utf-8` }));
}

/** Decoded here rather than fetched: the page's Content-Security-Policy does not let it fetch `data:` URLs. */
export function downloadDataUrl(fileName: string, dataUrl: string): void {
  const [head, base64] = dataUrl.split(',', 2);
  const type = /^data:([^;,]+)/.exec(head)?.[1] ?? 'application/octet-stream';
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  downloadBlob(fileName, new Blob([bytes], { type }));
}

/** A file-system-friendly stem from a run name. */
export function fileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
}
