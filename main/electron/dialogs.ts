/** Main's own file dialogs, attached to the window that asked: the only way a path enters the desktop app. */
import type { BrowserWindow, Dialog } from 'electron';
import type { Dialogs } from '../service/types.js';

export function electronDialogs(dialog: Dialog, parent: () => BrowserWindow | null): Dialogs {
  const open = async (options: Electron.OpenDialogOptions) => {
    const win = parent();
    const answer = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return answer.canceled || answer.filePaths.length === 0 ? null : answer.filePaths[0];
  };
  return {
    pickDirectory: (title) => open({ title, properties: ['openDirectory', 'createDirectory'] }),
    pickFile: (title, filters) => open({ title, properties: ['openFile'], ...(filters.length ? { filters } : {}) }),
    async pickFiles(title, filters) {
      const win = parent();
      const options: Electron.OpenDialogOptions = {
        title,
        properties: ['openFile', 'multiSelections'],
        ...(filters.length ? { filters } : {}),
      };
      const answer = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return answer.canceled || answer.filePaths.length === 0 ? null : answer.filePaths;
    },
    async saveFile(title, defaultPath, filters) {
      const win = parent();
      const options = { title, defaultPath, ...(filters.length ? { filters } : {}) };
      const answer = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return answer.canceled || !answer.filePath ? null : answer.filePath;
    },
  };
}
