// The folder layering is enforced by `npm run lint` (eslint.layers.js): these imports break it and must be
// reported with the rule's message; the allowed ones must pass.
import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering lint', () => {
  it.each([
    ['main/runs/x.ts', "import { terminalSink } from '../cli/progress.js';\nvoid terminalSink;\n", 'main/runs/ may import only'],
    [
      'main/host/x.ts',
      "import type { ServiceDeps } from '../service/types.js';\nexport type T = ServiceDeps;\n",
      'main/host/ may import only',
    ],
    ['main/export/x.ts', "import { buildModel } from '../engine/build-model.js';\nvoid buildModel;\n", 'main/export/ may import only'],
    ['main/engine/graph/x.ts', "import { listRuns } from '../../runs/run-store.js';\nvoid listRuns;\n", 'main/engine/ may import only'],
    ['main/service/x.ts', "import * as tf from '@tensorflow/tfjs';\nvoid tf;\n", 'must not load TensorFlow.js'],
    ['common/x.ts', "import { readFile } from 'node:fs/promises';\nvoid readFile;\n", 'no Node or Electron'],
    ['common/x.ts', "import { appVersion } from '../main/platform/app-version.js';\nvoid appVersion;\n", 'common/ may import only nothing'],
    [
      'renderer/src/lib/x.ts',
      "import { listRuns } from '../../../main/runs/run-store.js';\nvoid listRuns;\n",
      'renderer/ may import only common',
    ],
    [
      'scripts/native/lib/x.mjs',
      "import { appVersion } from '../../../main/platform/app-version.js';\nvoid appVersion;\n",
      'scripts/native/ may import only nothing',
    ],
  ])('%s: a forbidden import fails with the rule that says why', async (file, code, message) => {
    const errors = await importErrors(file, code);
    expect(errors.length).toBe(1);
    expect(errors[0]).toContain(message);
    expect(errors[0]).toContain('layering');
  });

  it.each([
    ['main/runs/x.ts', "import { train } from '../engine/train.js';\nvoid train;\n"],
    ['main/service/x.ts', "import type { TrainingJob } from '../host/protocol.js';\nexport type T = TrainingJob;\n"],
    ['main/cli/x.ts', "import { startServer } from '../server/serve.js';\nvoid startServer;\n"],
    ['renderer/src/lib/x.ts', "import { summarize } from '../../../common/summarize.js';\nvoid summarize;\n"],
    ['scripts/native/lib/x.mjs', "import { fail } from './shell.mjs';\nvoid fail;\n"],
  ])('%s: an allowed import passes', async (file, code) => {
    expect(await importErrors(file, code)).toEqual([]);
  });
});
