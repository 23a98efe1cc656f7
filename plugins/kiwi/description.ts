/**
 * @module
 * Kiwi image descriptions (`.kiwi` or `config.xml`), without touching the
 * disk: read the name, version and default profile a build is named after;
 * check and resolve `<include from="this://…">` (the only protocol allowed,
 * so a description cannot reach outside its checkout); replace the
 * description's repositories with the ones the build asks for; set the
 * version and the repo release version. Every problem is a
 * DescriptionError whose message names the file and what is wrong.
 */
import { posix } from 'node:path';
import {
  childElements, descendants, element, getAttr, parseXml, serializeXml, setAttr, setText, textOf, XmlError,
  type XmlDocument, type XmlElement, type XmlNode,
} from './xml.ts';

/** A description problem the user has to fix; `kind` says which Koji fault it corresponds to. */
export class DescriptionError extends Error {
  constructor(message: string, readonly kind: 'GenericError' | 'BuildError' = 'GenericError') {
    super(message);
    this.name = 'DescriptionError';
  }
}

export interface DescriptionInfo {
  /** The `name` attribute of `<image>`. */
  name: string;
  /** The last `<preferences><version>` (as Koji reads it). */
  version: string;
  /** The profile marked `image="true"`, if any. */
  defaultProfile: string | null;
  /** Every `<include from>` value, in document order. */
  includes: string[];
}

const INCLUDE_PROTOCOL = 'this://';

/** Parse a description file's text; `file` names it in errors. */
export function parseDescription(text: string, file: string): XmlDocument {
  let doc: XmlDocument;
  try {
    doc = parseXml(text);
  } catch (err) {
    if (err instanceof XmlError) throw new DescriptionError(`Kiwi description ${file} can't be parsed as XML: ${err.message}`);
    throw err;
  }
  if (doc.root.name !== 'image') {
    throw new DescriptionError(`Kiwi description ${file} doesn't contain <image> tag (its root element is <${doc.root.name}>).`);
  }
  return doc;
}

/** The facts the kiwiBuild task needs from a description. */
export function readDescription(text: string, file: string): DescriptionInfo {
  const image = parseDescription(text, file).root;
  const name = getAttr(image, 'name')?.trim() ?? '';
  if (!name) throw new DescriptionError(`Kiwi description ${file}: <image> has no name attribute.`);
  let version: string | null = null;
  for (const prefs of childElements(image, 'preferences')) {
    const v = childElements(prefs, 'version')[0];
    if (v && textOf(v).trim()) version = textOf(v).trim();
  }
  if (!version) throw new DescriptionError(`Description file ${file} doesn't contain preferences/version`, 'BuildError');
  let defaultProfile: string | null = null;
  for (const profiles of childElements(image, 'profiles')) {
    for (const p of childElements(profiles, 'profile')) {
      if (getAttr(p, 'image') === 'true') defaultProfile = getAttr(p, 'name');
    }
  }
  const includes = descendants(image, 'include').map((inc) => getAttr(inc, 'from') ?? '');
  for (const from of includes) includePath(from, file);
  return { name, version, defaultProfile, includes };
}

/**
 * The path (relative to the description's directory) an include names.
 * Only `this://` is accepted, and it must stay inside that directory.
 */
export function includePath(from: string, file: string): string {
  if (!from) throw new DescriptionError(`Kiwi description ${file}: <include> without a from attribute.`);
  if (!from.startsWith(INCLUDE_PROTOCOL)) throw new DescriptionError(`Unhandled include protocol in include path: ${from}.`);
  const rel = posix.normalize(from.slice(INCLUDE_PROTOCOL.length));
  if (!rel || rel === '.' || rel.startsWith('/') || rel === '..' || rel.startsWith('../')) {
    throw new DescriptionError(`Include path ${from} leaves the description directory.`);
  }
  return rel;
}

// ---- repositories ----

/** The repository types kiwi 9.24 knows (its schema's `repository/@type`). */
export const KIWI_REPO_TYPES = ['rpm-md', 'apt-deb', 'apt-rpm', 'deb-dir', 'rpm-dir', 'mirrors'] as const;

/** `<repository>` attributes a build's repo may set (never credentials or scripts). */
const REPO_ATTRS = [
  'alias', 'priority', 'imageinclude', 'imageonly', 'package_gpgcheck', 'repository_gpgcheck', 'components',
  'distribution', 'use_for_bootstrap', 'sourcetype', 'profiles',
] as const;

export interface RepoSpec {
  type: string;
  /** The repository URL (`<source path>`). */
  path: string;
  /** Further `<repository>` attributes, in the order given. */
  attrs: Array<[string, string]>;
}

/**
 * Read a `--repo` value: `[TYPE:]URL [attribute=value]...`. TYPE is a
 * kiwi repository type (rpm-md when left out), e.g.
 * `apt-deb:http://deb.debian.org/debian distribution=bookworm components=main`.
 * A URL holds no literal spaces, so the words after it are attributes;
 * `components` may list several separated by commas.
 */
export function parseRepoSpec(spec: string): RepoSpec {
  const words = spec.trim().split(/\s+/).filter(Boolean);
  if (!words.length) throw new DescriptionError('Empty repository');
  let url = words[0]!;
  let type = 'rpm-md';
  const m = /^([a-z][a-z0-9-]*):(.*)$/.exec(url);
  if (m && (KIWI_REPO_TYPES as readonly string[]).includes(m[1]!)) {
    type = m[1]!;
    url = m[2]!;
  }
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(url)) {
    throw new DescriptionError(`Repository ${spec}: ${url || 'nothing'} is not a URL (kiwi repository types: ${KIWI_REPO_TYPES.join(', ')})`);
  }
  const attrs: Array<[string, string]> = [];
  for (const word of words.slice(1)) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? '' : word.slice(eq + 1);
    if (!(REPO_ATTRS as readonly string[]).includes(key)) {
      throw new DescriptionError(`Repository ${spec}: unknown attribute ${key} (allowed: ${REPO_ATTRS.join(', ')})`);
    }
    if (!value) throw new DescriptionError(`Repository ${spec}: attribute ${key} has no value`);
    if (attrs.some(([k]) => k === key)) throw new DescriptionError(`Repository ${spec}: attribute ${key} given twice`);
    attrs.push([key, key === 'components' ? value.split(',').filter(Boolean).join(' ') : value]);
  }
  return { type, path: url, attrs };
}

function repositoryElement(r: RepoSpec): XmlElement {
  return element('repository', [['type', r.type], ...r.attrs], [element('source', [['path', r.path]])]);
}

// ---- rewriting ----

export interface PrepareOptions {
  /** File name of the description, for messages. */
  file: string;
  /** The build's image name (with the profile when there is one). */
  name: string;
  version: string;
  /** `<release-version>` (Koji: --repo-releasever, else the version). */
  releaseVersion: string;
  /** The repositories the image is installed from (duplicates are dropped). */
  repos: string[];
  /** Text of an included file by its path relative to the description's directory; null when missing. */
  readInclude(relPath: string): string | null;
}

export interface PreparedDescription {
  xml: string;
  /** The image types the description offers (`<type image=…>`). */
  types: string[];
}

function isRepoAt(nodes: XmlNode[], i: number): boolean {
  const n = nodes[i];
  return n !== undefined && n.kind === 'element' && n.name === 'repository';
}

/** Replace each include with the top-level content of the file it names (kiwi includes are one level deep). */
function applyIncludes(image: XmlElement, o: PrepareOptions): void {
  const visit = (parent: XmlElement) => {
    const out: XmlNode[] = [];
    for (const child of parent.children) {
      if (child.kind !== 'element') {
        out.push(child);
        continue;
      }
      if (child.name !== 'include') {
        visit(child);
        out.push(child);
        continue;
      }
      const from = getAttr(child, 'from') ?? '';
      const rel = includePath(from, o.file);
      const text = o.readInclude(rel);
      if (text === null) throw new DescriptionError(`Included file ${from} does not exist in the description directory.`);
      let inc: XmlDocument;
      try {
        inc = parseXml(text);
      } catch (err) {
        if (err instanceof XmlError) throw new DescriptionError(`Included file ${from} can't be parsed as XML: ${err.message}`);
        throw err;
      }
      if (inc.root.name !== 'image') throw new DescriptionError(`Included file ${from} needs to contain <image> tag.`);
      // repositories come from the build, never from a description
      const blank = (n: XmlNode | undefined) => n !== undefined && n.kind === 'text' && !n.cdata && !n.text.trim();
      const nodes = inc.root.children.filter((n, i, all) => !(n.kind === 'element' && n.name === 'repository') && !(blank(n) && isRepoAt(all, i - 1)));
      while (blank(nodes[0])) nodes.shift();
      while (blank(nodes[nodes.length - 1])) nodes.pop();
      out.push(...nodes);
    }
    parent.children = out;
  };
  visit(image);
  if (descendants(image, 'include').length) {
    throw new DescriptionError(`Kiwi description ${o.file}: an included file includes further files; kiwi includes are one level deep.`);
  }
}

/** Swap the description's repositories for the build's, where the first old one was. */
function replaceRepositories(image: XmlElement, repos: string[]): void {
  const specs = [...new Set(repos)].sort().map(parseRepoSpec);
  const added: XmlNode[] = specs.flatMap((s) => [repositoryElement(s), { kind: 'text', text: '\n    ' } as XmlNode]);
  const isRepo = (c: XmlNode) => c.kind === 'element' && c.name === 'repository';
  let at = image.children.findIndex(isRepo);
  if (at < 0) at = image.children.findIndex((c) => c.kind === 'element' && c.name === 'packages');
  if (at < 0) at = image.children.length;
  const before = image.children.slice(0, at);
  const after: XmlNode[] = [];
  let dropSpace = false;
  for (const c of image.children.slice(at)) {
    // a removed repository takes the line break after it along
    if (isRepo(c)) dropSpace = true;
    else if (dropSpace && c.kind === 'text' && !c.cdata && !c.text.trim()) dropSpace = false;
    else {
      dropSpace = false;
      after.push(c);
    }
  }
  image.children = [...before, ...added, ...after];
}

/** Set every preferences/version and the release version (added to the first preferences holding a version). */
function setVersions(image: XmlElement, o: PrepareOptions): void {
  const prefs = childElements(image, 'preferences');
  const withVersion = prefs.filter((p) => childElements(p, 'version').length);
  if (!withVersion.length) throw new DescriptionError(`Description file ${o.file} doesn't contain preferences/version`, 'BuildError');
  for (const p of withVersion) for (const v of childElements(p, 'version')) setText(v, o.version);
  const rv = prefs.flatMap((p) => childElements(p, 'release-version'));
  if (rv.length) for (const r of rv) setText(r, o.releaseVersion);
  else {
    // written like the version element: same indentation, before the closing tag's line break
    const p = withVersion[0]!;
    const v = p.children.indexOf(childElements(p, 'version')[0]!);
    const prev = p.children[v - 1];
    const indent = prev && prev.kind === 'text' && !prev.text.trim() ? prev.text : '';
    const last = p.children[p.children.length - 1];
    const at = last && last.kind === 'text' && !last.text.trim() ? p.children.length - 1 : p.children.length;
    const rvEl = element('release-version', [], [{ kind: 'text', text: o.releaseVersion }]);
    p.children.splice(at, 0, ...(indent ? [{ kind: 'text', text: indent } as XmlNode, rvEl] : [rvEl]));
  }
}

/**
 * The description as the build runs it: includes resolved, repositories
 * replaced, image name, version and release version set.
 */
export function prepareDescription(text: string, o: PrepareOptions): PreparedDescription {
  const doc = parseDescription(text, o.file);
  const image = doc.root;
  applyIncludes(image, o);
  replaceRepositories(image, o.repos);
  setAttr(image, 'name', o.name);
  setVersions(image, o);
  const types: string[] = [];
  for (const p of childElements(image, 'preferences')) {
    for (const t of childElements(p, 'type')) {
      const kind = getAttr(t, 'image');
      if (kind) types.push(kind);
    }
  }
  return { xml: serializeXml(doc), types };
}

/** Where Koji writes the prepared description: `<path without extension>.<arch>.kiwi`. */
export function preparedName(descPath: string, arch: string): string {
  const base = posix.basename(descPath);
  const dot = base.lastIndexOf('.');
  return `${dot > 0 ? base.slice(0, dot) : base}.${arch}.kiwi`;
}
