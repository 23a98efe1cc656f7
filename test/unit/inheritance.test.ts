/**
 * The inheritance walk and package list resolution on a real (temporary)
 * store, plus NVR and arch parsing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../src/store/db.ts';
import { createEvent } from '../../src/store/events.ts';
import { ensureTagName, insertTagConfig } from '../../src/store/tags.ts';
import { insertInheritance, readFullInheritance, revokeInheritance, type NewLink } from '../../src/store/inheritance.ts';
import { insertPackage, insertTagPackage, readPackageList, setPackageOwner } from '../../src/store/packages.ts';
import { parseArches, parseNVR } from '../../src/core/nvr.ts';

let dir: string;
let store: Store;
const ids: Record<string, number> = {};

function link(parent: string, priority: number, extra: Partial<NewLink> = {}): NewLink {
  return { parent_id: ids[parent]!, priority, maxdepth: null, intransitive: false, noconfig: false, pkg_filter: '', ...extra };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kojibox-inh-'));
  store = new Store(join(dir, 'db.sqlite'));
  store.migrate();
  const ev = createEvent(store);
  for (const name of ['top', 'left', 'right', 'root', 'deep']) {
    ids[name] = ensureTagName(store, name);
    insertTagConfig(store, ids[name]!, { arches: null, perm_id: null, locked: false, maven_support: false, maven_include_all: false }, ev, null);
  }
  // top -> left (10) -> root, top -> right (20, filter) -> root -> deep
  insertInheritance(store, ids.top!, link('left', 10), ev, null);
  insertInheritance(store, ids.top!, link('right', 20, { pkg_filter: '^b' }), ev, null);
  insertInheritance(store, ids.left!, link('root', 0), ev, null);
  insertInheritance(store, ids.right!, link('root', 0), ev, null);
  insertInheritance(store, ids.root!, link('deep', 0), ev, null);
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const walk = (tag: string, reverse = false) =>
  readFullInheritance(store, ids[tag]!, null, reverse).map((l) => [l.name, l.currdepth, l.filter.join('|')]);

describe('readFullInheritance', () => {
  it('visits a tag again only when the new route has fewer limits', () => {
    // root via right carries a filter; the earlier unfiltered route through left covers it
    expect(walk('top')).toEqual([
      ['left', 1, ''],
      ['root', 2, ''],
      ['deep', 3, ''],
      ['right', 1, '^b'],
    ]);
  });

  it('follows maxdepth relative to the link and stops at intransitive links below the start', () => {
    const ev = createEvent(store);
    revokeInheritance(store, ids.top!, ids.left!, ev, null);
    insertInheritance(store, ids.top!, link('left', 10, { maxdepth: 1 }), ev, null);
    revokeInheritance(store, ids.root!, ids.deep!, ev, null);
    insertInheritance(store, ids.root!, link('deep', 0, { intransitive: true }), ev, null);
    // left's maxdepth 1 hides root on that route; right reaches root (filtered), deep's link is intransitive
    expect(walk('top')).toEqual([
      ['left', 1, ''],
      ['right', 1, '^b'],
      ['root', 2, '^b'],
    ]);
    // from root itself the intransitive link counts
    expect(walk('root')).toEqual([['deep', 1, '']]);
    // the state before these edits is still readable at the older event
    expect(readFullInheritance(store, ids.top!, ev - 1).map((l) => l.name)).toEqual(['left', 'root', 'deep', 'right']);
  });

  it('walks descendants with reverse', () => {
    // top is reached again through right, but the first, unfiltered visit already covers it
    expect(walk('root', true)).toEqual([
      ['left', 1, ''],
      ['top', 2, ''],
      ['right', 1, ''],
    ]);
  });

  it('prunes loops and reports them', () => {
    const ev = createEvent(store);
    insertInheritance(store, ids.deep!, link('top', 0), ev, null);
    const loops: Array<[number, number]> = [];
    const names = readFullInheritance(store, ids.root!, null, false, (a, b) => loops.push([a, b])).map((l) => l.name);
    // root -> deep (intransitive from root is followed at the start) -> top -> left, right -> (root pruned)
    expect(names).toEqual(['deep', 'top', 'left', 'right']);
    expect(loops).toContainEqual([ids.right!, ids.root!]);
    revokeInheritance(store, ids.deep!, ids.top!, createEvent(store), null);
  });
});

describe('readPackageList', () => {
  it('lets the nearest entry win and applies inherited package filters', () => {
    const ev = createEvent(store);
    const owner = store.run("INSERT INTO users (name) VALUES ('o')").lastId;
    for (const name of ['bash', 'zsh', 'busybox']) {
      const pkg = insertPackage(store, name);
      insertTagPackage(store, ids.root!, pkg, false, null, ev, null);
      setPackageOwner(store, ids.root!, pkg, owner, ev, null);
    }
    const zsh = store.get<{ id: number }>("SELECT id FROM package WHERE name = 'zsh'")!.id;
    insertTagPackage(store, ids.right!, zsh, true, null, ev, null);
    setPackageOwner(store, ids.right!, zsh, owner, ev, null);
    // top sees root only through right (left's maxdepth 1), whose filter keeps names starting with b
    const top = [...readPackageList(store, { tagId: ids.top!, inherit: true }).values()].map((p) => [p.package_name, p.tag_name, p.blocked]);
    expect(top).toEqual([['bash', 'root', false], ['busybox', 'root', false]]);
    const right = [...readPackageList(store, { tagId: ids.right!, inherit: true }).values()].map((p) => [p.package_name, p.tag_name, p.blocked]);
    expect(right).toEqual([['zsh', 'right', true], ['bash', 'root', false], ['busybox', 'root', false]]);
    const dups = readPackageList(store, { tagId: ids.right!, inherit: true, withDups: true, pkgId: 'zsh' });
    expect(dups.get(zsh)!.map((p) => p.tag_name)).toEqual(['right', 'root']);
  });
});

describe('parseNVR and parseArches', () => {
  it('splits from the right and keeps an epoch prefix apart', () => {
    expect(parseNVR('foo-bar-1.0-1.fc30')).toEqual({ name: 'foo-bar', version: '1.0', release: '1.fc30', epoch: '' });
    expect(parseNVR('2:foo-1-1')).toEqual({ name: 'foo', version: '1', release: '1', epoch: '2' });
    for (const bad of ['foo', 'foo-1', '-1-1'.slice(1), 'foo--1', 'foo-1-']) expect(() => parseNVR(bad)).toThrow(`invalid format: ${bad}`);
  });

  it('normalizes arch lists and rejects odd characters', () => {
    expect(parseArches('x86_64, aarch64 ppc64le')).toBe('x86_64 aarch64 ppc64le');
    expect(parseArches(['i686', 'noarch'])).toBe('i686 noarch');
    expect(parseArches(null, { allowNone: true })).toBe('');
    expect(() => parseArches('x86_64,aarch64', { strict: true })).toThrow('Architecture can be only [a-zA-Z0-9_-]');
  });
});
