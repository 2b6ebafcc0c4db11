// The layering of ARCHITECTURE.md ("Folders": the "may import" column) as lint rules. Each folder lists the
// folders it may import from; an import of any other Layerbench folder fails `npm run lint` with a message
// naming the rule. Imports are relative, so a folder is recognised by its name anywhere in the import path
// (`../engine/x.js`, `../../engine/graph/y.js`); folder names are unique across common/, main/ and renderer/.

/** Folders under main/, lowest layer first. */
export const MAIN_FOLDERS = [
  'platform',
  'data',
  'backend',
  'engine',
  'export',
  'runs',
  'series',
  'host',
  'service',
  'server',
  'electron',
  'cli',
];

/**
 * What each folder may import besides itself. `common` is shared by every process; `platform` holds the
 * Node-only helpers every main-side layer uses (safe file replacement, the app version).
 */
export const MAY_IMPORT = {
  common: [],
  renderer: ['common'],
  'main/platform': ['common'],
  'main/data': ['common', 'platform'],
  'main/backend': ['common', 'platform'],
  'main/engine': ['common', 'platform', 'data'],
  // Export and import of model files work without TensorFlow (rebuilding a model is runs/import-model.ts).
  'main/export': ['common', 'platform'],
  'main/runs': ['common', 'platform', 'data', 'engine', 'export'],
  // Experiment series: plans, training them one run at a time through runs/, and their reports.
  'main/series': ['common', 'platform', 'data', 'engine', 'runs'],
  'main/host': ['common', 'platform', 'data', 'backend', 'engine', 'export', 'runs'],
  // The main process never loads TensorFlow: the service reaches the engine only through the host.
  // It plans and loops over series (main/series) but trains their runs through the host like any run.
  'main/service': ['common', 'platform', 'data', 'export', 'runs', 'series', 'host'],
  'main/server': ['common', 'platform', 'host', 'service'],
  'main/electron': ['common', 'platform', 'host', 'service'],
  'main/cli': ['common', ...MAIN_FOLDERS],
  // Setup runs before the build, so it can use none of the app's (TypeScript) code.
  'scripts/native': [],
};

/** Folders that must not load TensorFlow.js, not even its types. */
const NO_TENSORFLOW = ['common', 'renderer', 'main/platform', 'main/data', 'main/export', 'main/service', 'main/server', 'main/electron'];

const ALL = ['common', 'renderer', ...MAIN_FOLDERS];

function layerRule(folder) {
  const own = folder.split('/').pop();
  const allowed = new Set([own, ...MAY_IMPORT[folder]]);
  const forbidden = ALL.filter((f) => !allowed.has(f));
  const may = MAY_IMPORT[folder].length ? MAY_IMPORT[folder].join(', ') : 'nothing outside itself';
  const patterns = [
    {
      group: forbidden.flatMap((f) => [`**/${f}/**`, `${f}/**`]),
      message: `layering (ARCHITECTURE.md, eslint.layers.js): ${folder}/ may import only ${may}.`,
    },
  ];
  if (NO_TENSORFLOW.includes(folder)) {
    patterns.push({
      group: ['@tensorflow/*'],
      message: `layering (eslint.layers.js): ${folder}/ must not load TensorFlow.js; that is the training process's job (engine, backend, host).`,
    });
  }
  return patterns;
}

/** One config block per folder, for eslint.config.js. */
export function layerConfigs() {
  return Object.keys(MAY_IMPORT).map((folder) => {
    const patterns = layerRule(folder);
    if (folder === 'common') {
      patterns.push({
        group: ['node:*', 'electron', 'fs', 'path'],
        message: 'layering (eslint.layers.js): common/ runs in every process, the renderer too: no Node or Electron.',
      });
    }
    return {
      files: [`${folder}/**/*.{ts,mts,cts,js,mjs,svelte}`],
      rules: { 'no-restricted-imports': ['error', { patterns }] },
    };
  });
}
