/** Datasets: list, import (path from main's dialog, or typed in browser mode), sample images. */
import path from 'node:path';
import { DATASET_KIND_PICK, fail, ok, type DatasetInfo, type Picked } from '../../common/contract.js';
import { DatasetError } from '../data/dataset.js';
import type { DatasetCatalog } from './dataset-catalog.js';
import type { Handlers } from './handler-types.js';
import type { ServiceDeps } from './types.js';

export function datasetError(e: unknown) {
  if (e instanceof DatasetError) {
    return fail('DATASET_ERROR', e.message, {
      ...(e.file ? { file: e.file } : {}),
      ...(e.record !== undefined ? { record: e.record } : {}),
    });
  }
  throw e;
}

export function dataHandlers(
  deps: ServiceDeps,
  datasets: DatasetCatalog,
): Handlers<'dataset:list' | 'dataset:import' | 'dataset:cancelImport' | 'dataset:samples'> {
  return {
    async 'dataset:list'() {
      return ok({ datasets: await datasets.list() });
    },

    async 'dataset:import'(req) {
      if (datasets.busy) return fail('BUSY', 'Another dataset import is running; wait for it or cancel it');
      let location: string;
      if (deps.dialogs) {
        // In the desktop app a path typed in the UI is never trusted: main's own dialog chooses it.
        if (req.path !== undefined)
          return fail('INVALID_REQUEST', 'The dataset is chosen in the file dialog; a typed path is not accepted in the app');
        const how = DATASET_KIND_PICK[req.kind];
        const pick = req.pick ?? how.pick;
        const picked = pick === 'directory' ? await deps.dialogs.pickDirectory(how.label) : await deps.dialogs.pickFile(how.label, []);
        if (!picked) return ok({ canceled: true } as Picked<{ dataset: DatasetInfo }>);
        location = picked;
      } else {
        // Browser mode: loopback + per-launch token, and the person typing owns the machine (see contract).
        if (!req.path) return fail('INVALID_REQUEST', 'Type the path of the dataset on the machine running layerbench serve');
        if (!path.isAbsolute(req.path)) return fail('INVALID_REQUEST', `"${req.path}" is not an absolute path`);
        location = path.normalize(req.path);
      }
      try {
        const dataset = await datasets.import(req.kind, location, req.options);
        return ok((dataset ? { canceled: false, dataset } : { canceled: true }) as Picked<{ dataset: DatasetInfo }>);
      } catch (e) {
        return datasetError(e);
      }
    },

    async 'dataset:cancelImport'() {
      return ok({ canceled: datasets.cancelImport() });
    },

    async 'dataset:samples'(req) {
      if (!(await datasets.isKnown(req.datasetId))) return fail('NOT_FOUND', `unknown dataset "${req.datasetId}"`);
      try {
        return ok({ samples: await datasets.samples(req.datasetId, req.count ?? 16, req.split ?? 'train', req.seed ?? 0) });
      } catch (e) {
        return datasetError(e);
      }
    },
  };
}
