/**
 * The packaging hook flips the fuses in the packaged Electron binary. Tested on a file carrying Electron's
 * fuse wire (sentinel, version 1, nine fuses, all at Electron's defaults), the same bytes @electron/fuses
 * edits in a real binary: release builds turn RunAsNode, NODE_OPTIONS and inspect off and ASAR integrity on;
 * a test build keeps inspect on for Playwright.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import afterPack from '../../../main/electron/packaging/after-pack.mjs';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, inspect on, asar checks off...
const DEFAULT_WIRE = '101100011';

function fakePackagedApp(): { appOutDir: string; binary: string } {
  const appOutDir = mkdtempSync(path.join(os.tmpdir(), 'lb-fuses-'));
  const binary = path.join(appOutDir, 'layerbench');
  writeFileSync(
    binary,
    Buffer.concat([
      Buffer.alloc(4096, 7),
      Buffer.from(SENTINEL),
      Buffer.from([1, DEFAULT_WIRE.length]),
      Buffer.from(DEFAULT_WIRE),
      Buffer.alloc(1024, 7),
    ]),
  );
  return { appOutDir, binary };
}

const context = (appOutDir: string) => ({
  appOutDir,
  electronPlatformName: 'linux',
  arch: 1,
  packager: { appInfo: { productFilename: 'Layerbench' }, executableName: 'layerbench' },
});

afterEach(() => {
  delete process.env.LAYERBENCH_TEST_BUILD;
});

describe('afterPack fuses', () => {
  it('turns off RunAsNode, NODE_OPTIONS and inspect, and turns on ASAR integrity for a release build', async () => {
    const { appOutDir, binary } = fakePackagedApp();
    await afterPack(context(appOutDir));
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
  });

  it('keeps inspect arguments for a test build so Playwright can drive it, and nothing else', async () => {
    const { appOutDir, binary } = fakePackagedApp();
    process.env.LAYERBENCH_TEST_BUILD = '1';
    await afterPack(context(appOutDir));
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
  });

  it('fails the build when the binary has no fuse wire', async () => {
    const appOutDir = mkdtempSync(path.join(os.tmpdir(), 'lb-fuses-'));
    writeFileSync(path.join(appOutDir, 'layerbench'), 'not electron');
    await expect(afterPack(context(appOutDir))).rejects.toThrow(/sentinel/);
  });
});
