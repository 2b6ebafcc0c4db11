/** Model summaries, app information, and spec files. */
import { mkdir, readFile } from 'node:fs/promises';
import { replaceFile } from '../platform/replace-file.js';
import os from 'node:os';
import path from 'node:path';
import { DATASET_KINDS, EXPORT_FORMATS, fail, ok, type Picked, type SpecOpenResponse } from '../../common/contract.js';
import { describeJsonPath, tooDeepAt, tooDeepMessage } from '../../common/json-depth.js';
import { validateExperiment, validateModel } from '../../common/schema.js';
import { formatSummary, summarize } from '../../common/summarize.js';
import { safeSegment, type DataLayout } from './data-dir.js';
import type { Handlers } from './handler-types.js';
import type { ServiceDeps } from './types.js';

const SPEC_FILTERS = [{ name: 'Layerbench spec', extensions: ['json'] }];

function parseSpecText(text: string, fileName: string): SpecOpenResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const message = `${fileName} is not JSON: ${(e as Error).message}`;
    return { fileName, issues: [{ path: '', field: 'file', value: fileName, allowed: 'a JSON spec file', message }] };
  }
  // Checked before validation, whose issues echo the values they name and would not survive being sent.
  const deep = tooDeepAt(json);
  if (deep) {
    const message = tooDeepMessage(fileName, deep);
    return { fileName, issues: [{ path: describeJsonPath(deep), field: 'file', value: fileName, allowed: 'a Layerbench spec', message }] };
  }
  const checked = validateExperiment(json);
  return checked.ok ? { fileName, experiment: checked.value, issues: [] } : { fileName, issues: checked.issues };
}

export function appHandlers(deps: ServiceDeps, layout: DataLayout): Handlers<'model:summarize' | 'app:info' | 'spec:open' | 'spec:save'> {
  let probe: Promise<Awaited<ReturnType<ServiceDeps['host']['probeBackend']>>> | null = null;

  return {
    async 'model:summarize'(req) {
      const checked = validateModel(req.model);
      if (!checked.ok) return ok({ issues: checked.issues });
      const summary = summarize(checked.value, req.numClasses !== undefined ? { numClasses: req.numClasses } : {});
      return ok({ issues: [], summary, text: formatSummary(summary, checked.value.name) });
    },

    async 'app:info'() {
      // Asked once: the probe starts a training process to see which TensorFlow backend loads.
      probe ??= deps.host.probeBackend();
      const found = await probe;
      return ok({
        name: 'Layerbench',
        version: deps.version,
        mode: deps.mode,
        platform: os.platform(),
        arch: os.arch(),
        versions: deps.versions,
        backend: 'backend' in found ? found.backend : null,
        ...('error' in found ? { backendError: found.error } : {}),
        dataDir: layout.root,
        datasetKinds: [...DATASET_KINDS],
        exportFormats: [...EXPORT_FORMATS],
      });
    },

    async 'spec:open'(req) {
      if (req.content !== undefined)
        return ok({ canceled: false, ...parseSpecText(req.content, req.fileName ?? 'spec.json') } as Picked<SpecOpenResponse>);
      if (!deps.dialogs) return fail('NOT_AVAILABLE', 'spec:open: in browser mode, choose the file in the page (its content is sent)');
      const file = await deps.dialogs.pickFile('Open a model spec', SPEC_FILTERS);
      if (!file) return ok({ canceled: true } as Picked<SpecOpenResponse>);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        return fail('IO_ERROR', `cannot read ${file}: ${(e as Error).message}`, { path: file });
      }
      return ok({ canceled: false, ...parseSpecText(text, path.basename(file)) } as Picked<SpecOpenResponse>);
    },

    async 'spec:save'(req) {
      const base = safeSegment((req.suggestedName ?? req.experiment.model.name ?? 'model').replace(/\.json$/i, ''), 'model');
      let file: string;
      if (deps.dialogs) {
        const picked = await deps.dialogs.saveFile('Save the model spec', `${base}.json`, SPEC_FILTERS);
        if (!picked) return ok({ canceled: true } as Picked<{ path: string }>);
        file = picked;
      } else {
        await mkdir(layout.specs, { recursive: true });
        file = path.join(layout.specs, `${base}.json`);
      }
      try {
        await replaceFile(file, JSON.stringify(req.experiment, null, 2) + '\n');
      } catch (e) {
        return fail('IO_ERROR', `cannot save the spec: ${(e as Error).message}`, { path: file });
      }
      return ok({ canceled: false, path: file } as Picked<{ path: string }>);
    },
  };
}
