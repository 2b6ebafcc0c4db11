/** The backend engine tests run on: the one the app would pick (native TensorFlow where it is built). */
import { loadBackend } from '../../../main/backend/index.js';
import type { EngineBackend } from '../../../main/engine/tf-types.js';

export async function testBackend(): Promise<EngineBackend> {
  const b = await loadBackend();
  return { tf: b.tf, name: b.name, native: b.native, detail: b.detail, ...(b.warning ? { warning: b.warning } : {}) };
}
