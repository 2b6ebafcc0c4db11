/**
 * The Electron launcher against the fake `electron` module: a utility process's exit carries no signal, so
 * the cause of death must come from the app's `child-process-gone` event, whichever of the two arrives first.
 */
import { describe, expect, it, vi } from 'vitest';
import { writeFixtureProcess } from './fixture-process.js';
import { fakeElectron } from './fake-electron.js';

const fake = fakeElectron();
vi.mock('electron', () => fake.electron);

type Exit = { code: number | null; signal: string | null; gone: string | null };

async function launchAndKill(fireGone: (name: string) => void, when: 'before-exit' | 'after-exit'): Promise<Exit> {
  const { utilityLauncher } = await import('../../../main/electron/utility-launcher.js');
  const child = utilityLauncher()(writeFixtureProcess());
  const name = (fake.forks.at(-1)!.options as { serviceName: string }).serviceName;
  const exit = new Promise<Exit>((resolve) => child.onExit((code, signal, gone) => resolve({ code, signal, gone })));
  if (when === 'before-exit') fireGone(name);
  // Electron may report the cause just after the process's exit event; the launcher waits for it briefly.
  else fake.forks.at(-1)!.process.once('exit', () => fireGone(name));
  child.kill();
  return exit;
}

describe('utilityLauncher', () => {
  const gone = (reason: string, name: string) =>
    fake.electron.app.emit('child-process-gone', {}, { type: 'Utility', reason, exitCode: 9, name, serviceName: 'node.mojom.NodeService' });

  it('reports an out-of-memory death that Electron announces before the exit', async () => {
    const exit = await launchAndKill((name) => gone('oom', name), 'before-exit');
    expect(exit).toMatchObject({ signal: null, gone: 'oom' });
  });

  it('reports a death that Electron announces just after the exit', async () => {
    const exit = await launchAndKill((name) => gone('killed', name), 'after-exit');
    expect(exit).toMatchObject({ signal: null, gone: 'killed' });
  });

  it('gives each child its own service name and ignores reports about other processes', async () => {
    const exit = await launchAndKill(() => gone('oom', 'Some Other Service'), 'before-exit');
    expect(exit.gone).toBeNull();
    const names = fake.forks.map((f) => (f.options as { serviceName: string }).serviceName);
    expect(new Set(names).size).toBe(names.length);
  });

  it('ignores reports about non-utility processes with the same name', async () => {
    const exit = await launchAndKill(
      (name) => fake.electron.app.emit('child-process-gone', {}, { type: 'GPU', reason: 'oom', exitCode: 9, name }),
      'before-exit',
    );
    expect(exit.gone).toBeNull();
  });
});
