/**
 * The renderer's one way to reach the app: `window.layerbench` when the Electron preload exposed it, otherwise
 * the WebSocket client for browser mode. Components import `api` and never know which one they got.
 */
import { API_GLOBAL, type Api } from '../../../common/contract.js';
import { createWsApi, wsUrl, type ConnectionListener } from './ws-client.js';

const connectionListeners = new Set<ConnectionListener>();

export function onConnection(listener: ConnectionListener): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

function pickApi(): Api {
  const exposed = (window as unknown as Record<string, unknown>)[API_GLOBAL];
  if (exposed) return exposed as Api;
  return createWsApi(wsUrl(window.location), (state, detail) => {
    for (const l of connectionListeners) l(state, detail);
  });
}

export const api: Api = pickApi();
export const transport: 'electron' | 'browser' = (window as unknown as Record<string, unknown>)[API_GLOBAL] ? 'electron' : 'browser';
