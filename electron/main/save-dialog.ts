/**
 * Where an export goes in the app: Electron's native save dialog, run by the main process (the
 * renderer never names a path). Written against a small interface so it is tested without Electron.
 */
export interface SaveDialogLike<W> {
  showSaveDialog(
    window: W,
    options: { title: string; defaultPath: string; filters: Array<{ name: string; extensions: string[] }>; properties: string[] },
  ): Promise<{ canceled: boolean; filePath?: string | undefined }>;
}

/** A chooser for openDeskCore's chooseSavePath: the chosen path, or null when cancelled. */
export function saveDialogChooser<W>(dialog: SaveDialogLike<W>, window: () => W | null, defaultDir: () => string): (suggestedName: string) => Promise<string | null> {
  return async (suggestedName) => {
    const win = window();
    if (win === null) return null; // no window to ask from (the app is closing)
    const extension = suggestedName.includes('.') ? suggestedName.slice(suggestedName.lastIndexOf('.') + 1) : '';
    const r = await dialog.showSaveDialog(win, {
      title: 'Save the audit export',
      defaultPath: `${defaultDir()}/${suggestedName}`,
      filters: extension ? [{ name: extension.toUpperCase(), extensions: [extension] }] : [],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    return r.canceled || !r.filePath ? null : r.filePath;
  };
}
