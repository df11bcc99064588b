/** Offer data as a file download (the browser's download, or the app's save dialog). */
export function saveFile(data: BlobPart, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the URL by the time this runs.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
