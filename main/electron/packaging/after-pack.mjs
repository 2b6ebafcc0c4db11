// electron-builder afterPack hook: flips Electron's fuses in the packaged binary so the shipped app cannot be
// turned into a general Node runtime or debugged by whoever launches it:
//   RunAsNode off (ELECTRON_RUN_AS_NODE ignored), NODE_OPTIONS ignored, --inspect/--inspect-brk ignored,
//   the asar archive's integrity checked at start (macOS, Windows) and the app loaded only from it.
// LAYERBENCH_TEST_BUILD=1 builds a test package that keeps the inspect arguments, which Playwright's
// `_electron.launch` needs to drive the app; never ship such a build.
import path from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

export function fuseConfig(testBuild) {
  return {
    version: FuseVersion.V1,
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: testBuild,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

export function electronBinary(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${name}.exe`);
  return path.join(appOutDir, packager.executableName ?? name);
}

export default async function afterPack(context) {
  const testBuild = process.env.LAYERBENCH_TEST_BUILD === '1';
  const binary = electronBinary(context);
  await flipFuses(binary, {
    ...fuseConfig(testBuild),
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === 3,
  });
  console.log(`  • fuses set on ${binary}${testBuild ? ' (TEST BUILD: inspect arguments left on for Playwright)' : ''}`);
}
