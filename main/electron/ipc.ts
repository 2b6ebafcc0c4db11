/**
 * Connects ipcMain to the service, one handler per contract channel (the list comes from the contract).
 * Every message is checked to come from the main frame of one of the app's own windows showing the app's
 * own page before its payload is even parsed; everything answers with a Result.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { CHANNELS, fail, type Result } from '../../common/contract.js';
import type { Service } from '../service/service.js';
import { isAppUrl } from './security.js';

/** True for the windows this app created (and that are still open). */
export type OwnContents = (contents: WebContents) => boolean;

export function isTrustedSender(event: IpcMainInvokeEvent, isOwn: OwnContents): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // the frame navigated away or was destroyed
  if (!isOwn(event.sender)) return false;
  if (frame !== event.sender.mainFrame) return false; // no iframes, ever
  return isAppUrl(frame.url);
}

export function registerIpc(ipcMain: IpcMain, service: Service, isOwn: OwnContents): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, payload: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event, isOwn))
        return fail('FORBIDDEN', `${channel}: refused a message that did not come from the app's own window`);
      return service.handle(channel, payload);
    });
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}
