/**
 * Save text the engine produced (a report, an export) through the browser's
 * download; Electron asks where.
 */
export function download(filename: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: the click starts the download, it does not finish it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
