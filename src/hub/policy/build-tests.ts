/**
 * @module
 * Tests about the build, package and tags an operation concerns. Each reads
 * the data key koji reads and, where koji does, falls back to facts about
 * `build` from the hub's lookups.
 */

import { GenericError } from '../../core/faults.ts';
import { fnmatchAny } from '../../core/fnmatch.ts';
import {
  optionalBuild,
  policyBuildTags,
  policyBuildTypes,
  policyContentGenerators,
  policyNvrPart,
  policyPackage,
  requireBuild,
  truthy,
  valueMatches,
} from './data.ts';
import { fieldBoolTest, fieldMatchTest } from './generic-tests.ts';
import type { PolicyData, PolicyLookups, PolicyTest } from './types.ts';

/** `tag`/`fromtag`: the named tag's name; a nil or unknown tag makes the test false. */
function tagTest(name: string, field: 'tag' | 'fromtag'): PolicyTest {
  return {
    name,
    run: (patterns, data, { lookups }) => {
      const ref = data[field];
      if (typeof ref !== 'number' && typeof ref !== 'string') return false;
      const tagName = lookups.tagName(ref);
      return tagName !== null && fnmatchAny(tagName, patterns);
    },
  };
}

const packageTest: PolicyTest = {
  name: 'package',
  run: (patterns, data, { lookups }) => fnmatchAny(policyPackage(data, lookups).name, patterns),
};

const version: PolicyTest = {
  name: 'version',
  run: (patterns, data, { lookups }) => valueMatches(policyNvrPart(data, lookups, 'version'), patterns),
};

const release: PolicyTest = {
  name: 'release',
  run: (patterns, data, { lookups }) => valueMatches(policyNvrPart(data, lookups, 'release'), patterns),
};

function volumeName(data: PolicyData, lookups: PolicyLookups): string | null {
  if ('volume' in data) {
    const vol = data.volume;
    if (typeof vol === 'string') return vol;
    return typeof vol === 'number' ? (lookups.volumeName?.(vol) ?? null) : null;
  }
  return optionalBuild(data, lookups)?.volume_name ?? null;
}

const volume: PolicyTest = {
  name: 'volume',
  run: (patterns, data, { lookups }) => {
    const name = volumeName(data, lookups);
    return name !== null && fnmatchAny(name, patterns);
  },
};

const hastag: PolicyTest = {
  name: 'hastag',
  run: (patterns, data, { lookups }) => {
    if (!('build' in data)) return false;
    const build = data.build;
    if (typeof build !== 'number') throw GenericError('policy test hastag needs a build id');
    return lookups.tagsOfBuild(build).some((t) => fnmatchAny(t, patterns));
  },
};

const buildtag: PolicyTest = {
  name: 'buildtag',
  run: (patterns, data, { lookups }) =>
    // Content generator buildroots may have no tag; those never match.
    policyBuildTags(data, lookups).some((t) => t !== null && fnmatchAny(t, patterns)),
};

const buildtagInheritsFrom: PolicyTest = {
  name: 'buildtag_inherits_from',
  run: (patterns, data, { lookups }) =>
    policyBuildTags(data, lookups).some(
      (t) => t !== null && lookups.tagAncestors(t).some((parent) => fnmatchAny(parent, patterns)),
    ),
};

const buildtype: PolicyTest = {
  name: 'buildtype',
  run: (patterns, data, { lookups }) => policyBuildTypes(data, lookups).some((b) => fnmatchAny(b, patterns)),
};

const imported: PolicyTest = {
  name: 'imported',
  run: (_args, data, { lookups }) => requireBuild(data, lookups).imported ?? false,
};

const isDraft: PolicyTest = {
  name: 'is_draft',
  run: (_args, data, { lookups }) => {
    if ('draft' in data) return truthy(data.draft);
    return optionalBuild(data, lookups)?.draft ?? false;
  },
};

const source: PolicyTest = {
  name: 'source',
  run: (patterns, data, { lookups }) => {
    if ('source' in data) return valueMatches(data.source, patterns);
    return valueMatches(optionalBuild(data, lookups)?.source ?? null, patterns);
  },
};

const cgMatchAny: PolicyTest = {
  name: 'cg_match_any',
  run: (patterns, data, { lookups }) =>
    policyContentGenerators(data, lookups).some((cg) => cg !== null && fnmatchAny(cg, patterns)),
};

const cgMatchAll: PolicyTest = {
  name: 'cg_match_all',
  run: (patterns, data, { lookups }) => {
    const cgs = policyContentGenerators(data, lookups);
    // A component made outside any content generator fails "all".
    return cgs.length > 0 && cgs.every((cg) => cg !== null && fnmatchAny(cg, patterns));
  },
};

const isNewPackage: PolicyTest = {
  name: 'is_new_package',
  run: (_args, data, { lookups }) => {
    const pkg = policyPackage(data, lookups);
    // A package known by id or through an existing build already exists.
    if (pkg.fromBuild || typeof data.package !== 'string') return false;
    if (!lookups.isNewPackage) throw GenericError('policy lookups cannot tell whether a package is new');
    const tag = data.tag;
    if (typeof tag !== 'number' && typeof tag !== 'string') throw GenericError('policy test is_new_package needs a tag');
    return lookups.isNewPackage(tag, pkg.name);
  },
};

/** Tests about builds, packages and tags. */
export function buildTests(): PolicyTest[] {
  return [
    fieldMatchTest('operation', 'operation'),
    packageTest,
    version,
    release,
    volume,
    tagTest('tag', 'tag'),
    tagTest('fromtag', 'fromtag'),
    hastag,
    buildtag,
    buildtagInheritsFrom,
    buildtype,
    fieldBoolTest('skip_tag', 'skip_tag'),
    imported,
    isDraft,
    source,
    cgMatchAny,
    cgMatchAll,
    isNewPackage,
  ];
}
