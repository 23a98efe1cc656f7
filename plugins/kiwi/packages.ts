/**
 * @module
 * The package list kiwi writes beside an image (`<image>.packages`): one
 * `name|epoch|version|release|arch|disturl|license` line per installed
 * package. rpm images fill every field (`(none)` for no epoch); Debian
 * images write `name|None|version|None|arch|None|None` (the Debian version
 * keeps its own epoch and revision); pacman images leave epoch and arch
 * `None`. Reading this file is what spares the builder a Python kiwi module.
 */

export interface ImagePackage {
  /** rpm, deb or pacman. */
  type: 'rpm' | 'deb' | 'pacman';
  name: string;
  epoch: number | null;
  version: string;
  /** null for Debian packages (their revision is part of the version). */
  release: string | null;
  arch: string | null;
  /** Koji's rpmlist fields kiwi cannot know. */
  payloadhash: string;
  size: number;
  buildtime: number;
}

export class PackageListError extends Error {}

const NONE = new Set(['None', '(none)', '']);

/** Parse a `.packages` file; `file` names it in errors. Blank lines are skipped. */
export function parsePackageList(text: string, file: string): ImagePackage[] {
  const out: ImagePackage[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const f = line.split('|');
    // a license may itself hold '|'; the first six fields cannot
    if (f.length < 7) throw new PackageListError(`${file} line ${i + 1}: expected 7 fields separated by |, got ${f.length}: ${line}`);
    const [name, epoch, version, release, arch] = f as [string, string, string, string, string];
    if (!name || NONE.has(version)) throw new PackageListError(`${file} line ${i + 1}: no package name or version: ${line}`);
    let type: ImagePackage['type'] = 'rpm';
    if (epoch === 'None') type = release === 'None' ? 'deb' : 'pacman';
    let e: number | null = null;
    if (!NONE.has(epoch)) {
      if (!/^\d+$/.test(epoch)) throw new PackageListError(`${file} line ${i + 1}: bad epoch ${epoch}`);
      e = Number(epoch);
    }
    if (type === 'rpm' && NONE.has(release)) throw new PackageListError(`${file} line ${i + 1}: an rpm without a release: ${line}`);
    out.push({
      type, name, epoch: e, version, release: NONE.has(release) ? null : release, arch: NONE.has(arch) ? null : arch,
      payloadhash: '', size: 0, buildtime: 0,
    });
  });
  return out;
}
