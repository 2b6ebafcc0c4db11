/**
 * The preload bridge: exposes exactly the contract's channels and events on `window.layerbench`, nothing
 * else (no ipcRenderer, no Node). CommonJS (.cts) because sandboxed preloads cannot load ES modules, and
 * a sandboxed preload may require only 'electron'; so the channel and event names are handed over by main
 * in `additionalArguments` (derived from common/contract.ts there) instead of being written here twice.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Api, EventName } from '../../common/contract.js';

const CHANNELS_ARG = '--layerbench-channels=';
const EVENTS_ARG = '--layerbench-events=';
const API_GLOBAL_ARG = '--layerbench-global=';

function listArg(prefix: string): string[] {
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return arg ? arg.slice(prefix.length).split(',').filter(Boolean) : [];
}

const channels = listArg(CHANNELS_ARG);
const events = new Set(listArg(EVENTS_ARG));
const globalName = listArg(API_GLOBAL_ARG)[0] ?? 'layerbench';

const api: Record<string, unknown> = {};
for (const channel of channels) {
  // Only the payload crosses; the renderer never sees the IPC event object.
  api[channel] = (request: unknown) => ipcRenderer.invoke(channel, request);
}
api.on = (event: EventName, callback: (payload: unknown) => void): (() => void) => {
  if (!events.has(event)) throw new Error(`unknown event "${String(event)}"`);
  const listener = (_e: IpcRendererEvent, payload: unknown) => callback(payload);
  ipcRenderer.on(event, listener);
  return () => void ipcRenderer.removeListener(event, listener);
};

contextBridge.exposeInMainWorld(globalName, Object.freeze(api) as unknown as Api);
