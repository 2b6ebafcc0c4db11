// The peer frameworks: Keras on TensorFlow CPU (PyPI `tensorflow-cpu`, in the python3 on PATH) and
// PyTorch (Debian `python3-torch`, which only /usr/bin/python3 sees). Override the interpreters with
// LAYERBENCH_KERAS_PYTHON / LAYERBENCH_TORCH_PYTHON.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJson } from './child.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const QUIET_TF = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };

export const PEERS = [
  {
    id: 'keras',
    label: 'Keras (XLA)',
    python: process.env.LAYERBENCH_KERAS_PYTHON || 'python3',
    module: 'tensorflow',
    script: 'keras_peer.py',
  },
  {
    id: 'kerasNoXla',
    label: 'Keras (no XLA)',
    python: process.env.LAYERBENCH_KERAS_PYTHON || 'python3',
    module: 'tensorflow',
    script: 'keras_peer.py',
    job: { jitCompile: false },
  },
  {
    id: 'pytorch',
    label: 'PyTorch',
    python: process.env.LAYERBENCH_TORCH_PYTHON || '/usr/bin/python3',
    module: 'torch',
    script: 'torch_peer.py',
  },
];

/** Null when the peer can run, else why not (shown in the report instead of its numbers). */
export function peerUnavailable(peer) {
  try {
    execFileSync(peer.python, ['-c', `import ${peer.module}, numpy`], { stdio: 'ignore', env: QUIET_TF, timeout: 120_000 });
    return null;
  } catch {
    return `${peer.python} cannot import ${peer.module} and numpy`;
  }
}

export async function runPeer(peer, job, timeoutMs) {
  const script = path.join(HERE, 'peers', peer.script);
  return runJson(peer.python, [script, JSON.stringify({ ...job, ...peer.job })], {
    timeoutMs,
    env: QUIET_TF,
    cwd: path.join(HERE, 'peers'),
  });
}
