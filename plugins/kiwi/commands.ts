/**
 * @module
 * The kiwi-ng command lines a createKiwiImage task runs, as Koji's builder
 * plugin builds them, and the task options they come from. Pure, so the
 * argument lists can be checked without a buildroot.
 */
import { posix } from 'node:path';

/** Where kiwi writes the image inside the buildroot, and where the bundle goes. */
export const TARGET_DIR = '/builddir/result/image';
export const BUNDLE_DIR = '/builddir/result/bundle';

/** The options of a kiwiBuild task that shape the kiwi-ng calls. */
export interface KiwiOpts {
  profile?: string | null;
  type?: string | null;
  type_attr?: string[] | null;
  result_bundle_name_format?: string | null;
}

/** kiwi's log of the system build, inside the buildroot. */
export function buildLogPath(arch: string): string {
  return `/tmp/image-root.${arch}.log`;
}

/** kiwi's log of the result bundle, inside the buildroot. */
export function bundleLogPath(arch: string): string {
  return `/tmp/kiwi-result-bundle.${arch}.log`;
}

/**
 * `kiwi-ng [--profile P] [--type T] --kiwi-file F --debug --logfile L
 * system build --description D --target-dir T [--set-type-attr A]...`;
 * `description` is relative to the working directory (the checkout's parent).
 */
export function systemBuildArgs(o: KiwiOpts, kiwiFile: string, description: string, arch: string): string[] {
  const cmd = ['kiwi-ng'];
  if (o.profile) cmd.push('--profile', o.profile);
  if (o.type) cmd.push('--type', o.type);
  cmd.push('--kiwi-file', kiwiFile, '--debug', '--logfile', buildLogPath(arch), 'system', 'build', '--description', description, '--target-dir', TARGET_DIR);
  for (const attr of o.type_attr ?? []) cmd.push('--set-type-attr', attr);
  return cmd;
}

/** `kiwi-ng --debug --logfile L result bundle --target-dir T --bundle-dir B --id RELEASE [--bundle-format F]`. */
export function resultBundleArgs(o: KiwiOpts, release: string, arch: string): string[] {
  const cmd = ['kiwi-ng', '--debug', '--logfile', bundleLogPath(arch), 'result', 'bundle', '--target-dir', TARGET_DIR, '--bundle-dir', BUNDLE_DIR, '--id', release];
  if (o.result_bundle_name_format) cmd.push('--bundle-format', o.result_bundle_name_format);
  return cmd;
}

/** The `--description` value: the checkout directory's name joined with the description's directory. */
export function descriptionDir(checkoutName: string, descPath: string): string {
  const dir = posix.dirname(descPath);
  return dir === '.' ? checkoutName : posix.join(checkoutName, dir);
}

/** Image name of a build: kiwi's name, with the profile (requested or the description's default) appended. */
export function imageName(name: string, profile: string | null | undefined, defaultProfile: string | null): string {
  const p = profile || defaultProfile;
  return p ? `${name}-${p}` : name;
}
