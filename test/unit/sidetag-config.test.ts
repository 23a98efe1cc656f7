/**
 * The sidetag plugin's config: name templates (Python str.format, checked
 * against CPython), durations, sidetag.conf options and the lifetime rule
 * that decides when a sidetag expires.
 */
import { describe, expect, it } from 'bun:test';
import { parseIni } from '../../src/config/ini.ts';
import { parseNameTemplate } from '../../plugins/sidetag/template.ts';
import { parseDuration, sidetagConfigFromIni } from '../../plugins/sidetag/config.ts';
import { formatDuration } from '../../plugins/sidetag/duration.ts';
import { expiryOf, isKept } from '../../plugins/sidetag/lifetime.ts';
import { allowedMacros, validMacroName } from '../../plugins/sidetag/edit.ts';
import { ownerFields } from '../../plugins/sidetag/policy.ts';
import type { TagInfo } from '../../src/hub/api/lookups.ts';

function pythonFormat(template: string, basetag: string, tagId: number): string {
  const code = `import sys; print(sys.argv[1].format(basetag=sys.argv[2], tag_id=int(sys.argv[3])), end='')`;
  const p = Bun.spawnSync(['/usr/bin/python3', '-c', code, template, basetag, String(tagId)]);
  if (p.exitCode !== 0) throw new Error(p.stderr.toString());
  return p.stdout.toString();
}

describe('parseNameTemplate', () => {
  it('renders templates exactly as Python str.format does', () => {
    const templates = [
      '{basetag}-side-{tag_id}',
      '{basetag}s-side-{tag_id}d',
      'side-{tag_id:06d}-{basetag}',
      '{{x}}-{basetag:>12}-{tag_id:<5}!',
      '{tag_id:*^9}_{basetag:s}',
    ];
    for (const t of templates) {
      expect(parseNameTemplate(t).render('f30-build', 42)).toBe(pythonFormat(t, 'f30-build', 42));
    }
  });

  it('requires both placeholders and names the missing one', () => {
    expect(() => parseNameTemplate('{basetag}-side')).toThrow('missing {tag_id}');
    expect(() => parseNameTemplate('side-{tag_id}')).toThrow('missing {basetag}');
    expect(() => parseNameTemplate('static')).toThrow('missing {basetag} and {tag_id}');
  });

  it('rejects what Python would reject or kojibox does not support', () => {
    expect(() => parseNameTemplate('{basetag}-{tag_id')).toThrow("unclosed '{'");
    expect(() => parseNameTemplate('{basetag}}-{tag_id}')).toThrow("single '}'");
    expect(() => parseNameTemplate('{basetag}-{user}-{tag_id}')).toThrow('unknown placeholder {user}');
    expect(() => parseNameTemplate('{basetag!r}-{tag_id}')).toThrow('conversions');
    expect(() => parseNameTemplate('{basetag:d}-{tag_id}')).toThrow("format code 'd'");
    expect(() => parseNameTemplate('%(basetag)s-side-%(tag_id)d')).toThrow('must contain both');
  });
});

describe('parseDuration', () => {
  it('reads units and takes bare numbers in the given unit', () => {
    expect(parseDuration('30d', 'd', 'x')).toBe(30 * 86400);
    expect(parseDuration('1.5h', 'd', 'x')).toBe(5400);
    expect(parseDuration('90m', 'd', 'x')).toBe(5400);
    expect(parseDuration('2', 'd', 'x')).toBe(2 * 86400);
    expect(parseDuration('2', 's', 'x')).toBe(2);
    expect(parseDuration('1w', 's', 'x')).toBe(604800);
  });

  it('treats empty, zero and off as not set', () => {
    for (const v of [undefined, '', '0', 'off', 'OFF', '0s']) expect(parseDuration(v, 'd', 'x')).toBeNull();
  });

  it('rejects text that is not a duration, naming the option', () => {
    expect(() => parseDuration('ten days', 'd', 'max_idle')).toThrow("max_idle: 'ten days' is not a duration");
    expect(() => parseDuration('-1d', 'd', 'max_age')).toThrow('max_age');
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(3725)).toBe('1h 2m');
    expect(formatDuration(86400 * 3 + 7200 + 5)).toBe('3d 2h');
    expect(formatDuration(86400)).toBe('1d');
    expect(formatDuration(-5)).toBe('0s');
  });
});

describe('sidetagConfigFromIni', () => {
  it('has Koji defaults without a file, lifetimes off', () => {
    const cfg = sidetagConfigFromIni(null);
    expect(cfg.removeEmpty).toBe(false);
    expect(cfg.allowedSuffixes).toEqual([]);
    expect(cfg.nameTemplate.text).toBe('{basetag}-side-{tag_id}');
    expect(cfg.triggerNewRepo).toBe(false);
    expect([cfg.maxAge, cfg.maxIdle, cfg.maxEmptyAge]).toEqual([null, null, null]);
    expect(cfg.sweepInterval).toBe(600);
  });

  it('reads every option', () => {
    const doc = parseIni(
      '[sidetag]\nremove_empty = on\nallowed_suffixes = test, debug,\nname_template = side-{tag_id}-{basetag}\n' +
        'trigger_new_repo = yes\nmax_age = 30\nmax_idle = 10d\nmax_empty_age = 12h\nsweep_interval = 2\n',
    );
    const cfg = sidetagConfigFromIni(doc);
    expect(cfg.removeEmpty).toBe(true);
    expect(cfg.allowedSuffixes).toEqual(['test', 'debug']);
    expect(cfg.nameTemplate.render('b', 7)).toBe('side-7-b');
    expect(cfg.triggerNewRepo).toBe(true);
    expect(cfg.maxAge).toBe(30 * 86400);
    expect(cfg.maxIdle).toBe(10 * 86400);
    expect(cfg.maxEmptyAge).toBe(12 * 3600);
    expect(cfg.sweepInterval).toBe(2);
  });

  it('stops on a bad name template with the file and option in the message', () => {
    const doc = parseIni('[sidetag]\nname_template = {basetag}-side\n');
    expect(() => sidetagConfigFromIni(doc)).toThrow(
      "koji-hub/plugins/sidetag.conf: [sidetag] name_template: '{basetag}-side' must contain both {basetag} and {tag_id} (missing {tag_id})",
    );
  });

  it('stops on a bad boolean', () => {
    expect(() => sidetagConfigFromIni(parseIni('[sidetag]\nremove_empty = maybe\n', 'sidetag.conf'))).toThrow('not a boolean');
  });
});

describe('expiryOf', () => {
  const facts = { createdTs: 1000, lastActivityTs: 5000, builds: 0, repoId: null, repoState: null, inUse: false };
  const off = { maxAge: null, maxIdle: null, maxEmptyAge: null };

  it('never expires with every rule off', () => {
    expect(expiryOf(facts, false, off)).toBeNull();
  });

  it('takes the earliest applicable rule', () => {
    expect(expiryOf(facts, false, { ...off, maxAge: 10000, maxIdle: 100 })).toEqual({ at: 5100, reason: 'max_idle 1m 40s' });
    expect(expiryOf(facts, false, { ...off, maxAge: 100, maxIdle: 100 })).toEqual({ at: 1100, reason: 'max_age 1m 40s' });
  });

  it('applies max_empty_age only to sidetags without builds', () => {
    const cfg = { ...off, maxEmptyAge: 60 };
    expect(expiryOf(facts, false, cfg)).toEqual({ at: 5060, reason: 'max_empty_age 1m' });
    expect(expiryOf({ ...facts, builds: 2 }, false, cfg)).toBeNull();
  });

  it('never expires a kept sidetag', () => {
    expect(expiryOf(facts, true, { maxAge: 1, maxIdle: 1, maxEmptyAge: 1 })).toBeNull();
    expect(isKept({ sidetag_keep: true })).toBe(true);
    expect(isKept({ sidetag_keep: 'yes' })).toBe(true);
    expect(isKept({ sidetag_keep: false })).toBe(false);
    expect(isKept({ sidetag_keep: 0 })).toBe(false);
    expect(isKept({})).toBe(false);
  });
});

describe('editSideTag rules', () => {
  const parent = (extra: Record<string, unknown>) => ({ name: 'f30-build', extra }) as unknown as TagInfo;

  it('accepts rpm macro names as rpm does', () => {
    expect(validMacroName('dist')).toBe(true);
    expect(validMacroName('_with_x')).toBe(true);
    expect(validMacroName('x')).toBe(false);
    expect(validMacroName('1abc')).toBe(false);
    expect(validMacroName('%foo')).toBe(false);
  });

  it("reads the parent's allowed macro globs from a list or a string", () => {
    expect(allowedMacros(parent({ sidetag_rpm_macros_allowed: ['dist', 'with_*'] }))).toEqual(['dist', 'with_*']);
    expect(allowedMacros(parent({ sidetag_rpm_macros_allowed: ' dist  with_* ' }))).toEqual(['dist', 'with_*']);
  });

  it("refuses with Koji's texts when the parent allows none or has a bad value", () => {
    expect(() => allowedMacros(parent({}))).toThrow('RPM macros change is not allowed in parent tag.');
    expect(() => allowedMacros(parent({ sidetag_rpm_macros_allowed: null }))).toThrow('RPM macros change is not allowed in parent tag.');
    expect(() => allowedMacros(parent({ sidetag_rpm_macros_allowed: 5 }))).toThrow("rpm_macros_allowed in f30-build has invalid type: <class 'int'>");
    expect(() => allowedMacros(parent({ sidetag_rpm_macros_allowed: ['a', 1] }))).toThrow("Allowed rpm macro list ['a', 1] is invalid for f30-build.");
  });
});

describe('is_sidetag_owner arguments', () => {
  it('checks tag by default and both tag and fromtag with both', () => {
    expect(ownerFields([])).toEqual(['tag']);
    expect(ownerFields(['fromtag'])).toEqual(['fromtag']);
    expect(ownerFields(['both'])).toEqual(['tag', 'fromtag']);
  });

  it("rejects other arguments with Koji's texts", () => {
    expect(() => ownerFields(['tag', 'fromtag'])).toThrow('Just one argument is allowed for this test.');
    expect(() => ownerFields(['parent'])).toThrow('Policy test is_sidetag_owner has only /tag/fromtag/both options (got parent)');
  });
});
