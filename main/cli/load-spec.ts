/** Reads the experiment a command works on: a spec file or a named preset adapted to the dataset. */
import { readFile } from 'node:fs/promises';
import { tooDeepAt, tooDeepMessage } from '../../common/json-depth.js';
import { isPresetName, preset, PRESET_NAMES, type PresetTarget } from '../../common/presets.js';
import { formatIssues, validateExperiment } from '../../common/schema.js';
import type { ExperimentSpec } from '../../common/spec.js';
import { CliError, EXIT } from './exit-codes.js';

export async function loadExperiment(
  specPath: string | undefined,
  presetName: string | undefined,
  target?: PresetTarget,
): Promise<{ experiment: ExperimentSpec; label: string }> {
  if (specPath && presetName) throw new CliError('give either a spec file or --preset, not both', EXIT.usage);
  if (presetName) {
    if (!isPresetName(presetName)) {
      throw new CliError(`unknown preset "${presetName}"; presets: ${PRESET_NAMES.join(', ')}`, EXIT.usage);
    }
    return { experiment: preset(presetName, target), label: presetName };
  }
  if (!specPath) throw new CliError('give a spec file or --preset NAME', EXIT.usage);
  let text: string;
  try {
    text = await readFile(specPath, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read spec file ${specPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT.usage);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CliError(`spec file ${specPath} is not valid JSON: ${(e as Error).message}`, EXIT.usage);
  }
  const deep = tooDeepAt(json);
  if (deep) throw new CliError(`spec file ${tooDeepMessage(specPath, deep)}`, EXIT.usage);
  const result = validateExperiment(json);
  if (!result.ok) throw new CliError(`spec file ${specPath} is invalid:\n${formatIssues(result.issues)}`, EXIT.usage);
  return { experiment: result.value, label: specPath };
}
