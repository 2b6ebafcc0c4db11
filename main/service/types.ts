/**
 * What the transport-independent service needs from its surroundings. Electron supplies native dialogs and a
 * utilityProcess-backed training host; browser mode supplies no dialogs and a child_process-backed host.
 */
import type { AppMode } from '../../common/contract.js';
import type { Emit, TrainingHostLike } from '../host/protocol.js';

export interface FileFilter {
  name: string;
  extensions: string[];
}

/** Main's own dialogs: the only source of file paths in Electron. Each resolves to null when canceled. */
export interface Dialogs {
  pickDirectory(title: string): Promise<string | null>;
  pickFile(title: string, filters: FileFilter[]): Promise<string | null>;
  /** Several files at once (images to classify); null when canceled. */
  pickFiles(title: string, filters: FileFilter[]): Promise<string[] | null>;
  saveFile(title: string, defaultName: string, filters: FileFilter[]): Promise<string | null>;
}

export interface ServiceDeps {
  mode: AppMode;
  dataDir: string;
  version: string;
  versions: { node: string; electron?: string; chrome?: string };
  /** Present in Electron; absent in browser mode, where paths fall back to the data folder. */
  dialogs?: Dialogs;
  host: TrainingHostLike;
  emit: Emit;
}
