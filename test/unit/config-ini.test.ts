/**
 * @module
 * parseIni against Python's configparser: a table of tricky inputs with the
 * results Python gives (checked against a live python3 when one is
 * installed), a seeded random comparison, error locations, typed getters,
 * interpolation and the writer's round trip.
 */
import { describe, expect, it } from 'bun:test';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../src/config/errors.ts';
import { parseIni, readIniSources, type IniDocument } from '../../src/config/ini.ts';
import { formatIni } from '../../src/config/ini-write.ts';

// ---------------------------------------------------------------- python side

const HAS_PYTHON = Bun.spawnSync(['python3', '-c', 'import configparser'], { stderr: 'ignore' }).exitCode === 0;

/** Reads each case like koji does (files opened in text mode, strict parser). */
const PY_HARNESS = String.raw`
import configparser, io, json, sys

def run(case):
    cls = configparser.ConfigParser if case.get('interpolation') else configparser.RawConfigParser
    cp = cls()
    try:
        for i, text in enumerate(case['texts']):
            cp.read_file(io.StringIO(text, newline=None), source='f%d.conf' % i)
    except configparser.MissingSectionHeaderError as e:
        return {'error': {'file': e.source, 'line': e.lineno}}
    except configparser.ParsingError as e:
        return {'error': {'file': e.source, 'line': e.errors[0][0]}}
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError) as e:
        return {'error': {'file': e.source, 'line': e.lineno}}
    out = []
    for s in ['DEFAULT'] + cp.sections():
        try:
            items = dict(cp.items(s))
        except configparser.Error:
            items = 'interpolation error'
        out.append([s, dict(cp.items(s, raw=True)), items])
    return {'sections': out}

json.dump([run(c) for c in json.load(sys.stdin)], sys.stdout)
`;

interface Case {
  texts: string[];
  interpolation?: boolean;
}
type SectionDump = [string, Record<string, string>, Record<string, string> | 'interpolation error'];
type Outcome = { sections: SectionDump[] } | { error: { file: string; line: number } };

function python(cases: Case[]): Outcome[] {
  const run = Bun.spawnSync(['python3', '-c', PY_HARNESS], {
    stdin: new TextEncoder().encode(JSON.stringify(cases)),
  });
  if (run.exitCode !== 0) throw new Error(run.stderr.toString());
  return JSON.parse(run.stdout.toString()) as Outcome[];
}

function ours(c: Case): Outcome {
  let doc: IniDocument;
  try {
    doc = readIniSources(
      c.texts.map((text, i) => ({ text, fileName: `f${i}.conf` })),
      { interpolation: c.interpolation },
    );
  } catch (err) {
    if (err instanceof ConfigError) return { error: { file: err.file!, line: err.line! } };
    throw err;
  }
  const sections: SectionDump[] = ['DEFAULT', ...doc.sections()].map((s) => {
    const raw = Object.fromEntries(doc.options(s).map((o) => [o.key, o.value]));
    let items: Record<string, string> | 'interpolation error';
    try {
      items = doc.items(s);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      items = 'interpolation error';
    }
    return [s, raw, items];
  });
  return { sections };
}

/** Shorthand for an expected successful read without interpolation. */
function raw(...sections: [string, Record<string, string>][]): Outcome {
  return { sections: sections.map(([s, v]) => [s, v, v]) };
}
const NO_DEFAULTS: [string, Record<string, string>] = ['DEFAULT', {}];

// ---------------------------------------------------------------- the table

interface TableCase extends Case {
  name: string;
  expected: Outcome;
}

const one = (name: string, text: string, expected: Outcome, interpolation = false): TableCase => ({
  name,
  texts: [text],
  expected,
  interpolation,
});

const TABLE: TableCase[] = [
  one('reads key = value and key: value', '[s]\na = 1\nb: 2\nc=3\n', raw(NO_DEFAULTS, ['s', { a: '1', b: '2', c: '3' }])),
  one('lowercases option names and keeps section case', '[Hub]\nKojiDir = /x\n', raw(NO_DEFAULTS, ['Hub', { kojidir: '/x' }])),
  one('splits at the first delimiter', '[s]\na:b=c\nd = e: f\n', raw(NO_DEFAULTS, ['s', { a: 'b=c', d: 'e: f' }])),
  one('keeps inline comments in the value', '[s]\na = 1 ; no\nb = x # y\n', raw(NO_DEFAULTS, ['s', { a: '1 ; no', b: 'x # y' }])),
  one('skips full-line comments, indented or not', '# c\n; c\n[s]\n  # c\n\t; c\na = 1\n', raw(NO_DEFAULTS, ['s', { a: '1' }])),
  one('allows an empty value', '[s]\na =\nb:\n', raw(NO_DEFAULTS, ['s', { a: '', b: '' }])),
  one('joins indented continuation lines with newlines', '[s]\na = 1\n  2\n\t3\nb = 4\n', raw(NO_DEFAULTS, ['s', { a: '1\n2\n3', b: '4' }])),
  one('starts a value on the next line when the first is empty', '[s]\np =\n    x :: allow\n    all :: deny\n', raw(NO_DEFAULTS, ['s', { p: '\nx :: allow\nall :: deny' }])),
  one('keeps blank lines followed by more indented lines', '[s]\na = 1\n\n  2\n\n\nb = 3\n', raw(NO_DEFAULTS, ['s', { a: '1\n\n2', b: '3' }])),
  one('drops comment lines inside a multi-line value', '[s]\na = 1\n  # not part\n  2\n', raw(NO_DEFAULTS, ['s', { a: '1\n2' }])),
  one('continues a value after a blank line if the next line is indented', '[s]\na = 1\n\n  b = 2\n', raw(NO_DEFAULTS, ['s', { a: '1\n\nb = 2' }])),
  one('measures continuation against the option line indent', '[s]\n  a = 1\n  b = 2\n    c\n', raw(NO_DEFAULTS, ['s', { a: '1', b: '2\nc' }])),
  one('treats an indented line after a header as an option', '[s]\n   a = 1\n', raw(NO_DEFAULTS, ['s', { a: '1' }])),
  one('reads a header with trailing text as the bracketed part', '[s] trailing\na = 1\n', raw(NO_DEFAULTS, ['s', { a: '1' }])),
  one('takes the last ] of a header', '[a]b]\nk = v\n', raw(NO_DEFAULTS, ['a]b', { k: 'v' }])),
  one('reads \\r\\n and lone \\r line ends', '[s]\r\na = 1\rb = 2\r\n', raw(NO_DEFAULTS, ['s', { a: '1', b: '2' }])),
  one('does not split lines at \\u2028 or \\x0c', '[s]\na = x\u2028y\x0cz\n', raw(NO_DEFAULTS, ['s', { a: 'x\u2028y\x0cz' }])),
  one('strips Python whitespace around values', '[s]\na = \u00a0v\u3000\n', raw(NO_DEFAULTS, ['s', { a: 'v' }])),
  one(
    'lets [DEFAULT] show through every section',
    '[DEFAULT]\nd = 1\nx = 2\n[s]\nx = 3\n',
    raw(['DEFAULT', { d: '1', x: '2' }], ['s', { d: '1', x: '3' }]),
  ),
  one('allows [DEFAULT] to be reopened', '[DEFAULT]\na = 1\n[s]\n[DEFAULT]\nb = 2\n', raw(['DEFAULT', { a: '1', b: '2' }], ['s', { a: '1', b: '2' }])),
  one('refuses a line before any section', 'a = 1\n[s]\n', { error: { file: 'f0.conf', line: 1 } }),
  one('refuses a comment-free first line even if blank lines precede it', '\n\n# c\nx\n', { error: { file: 'f0.conf', line: 4 } }),
  one('refuses a duplicate section', '[s]\na = 1\n[t]\n[s]\n', { error: { file: 'f0.conf', line: 4 } }),
  one('refuses a duplicate option, whatever its case', '[s]\nKey = 1\nkey = 2\n', { error: { file: 'f0.conf', line: 3 } }),
  one('refuses a duplicate option in [DEFAULT]', '[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n', { error: { file: 'f0.conf', line: 4 } }),
  one('refuses a line without a delimiter', '[s]\na = 1\njunk\n', { error: { file: 'f0.conf', line: 3 } }),
  one('refuses an option without a name', '[s]\n= 1\n', { error: { file: 'f0.conf', line: 2 } }),
  one('reports the first bad line of several', '[s]\nx\ny\n', { error: { file: 'f0.conf', line: 2 } }),
  one('lets a duplicate stop parsing before bad lines are reported', '[s]\nx\n[s]\n', { error: { file: 'f0.conf', line: 3 } }),
  one('refuses a byte-order mark before the first header', '\ufeff[s]\n', { error: { file: 'f0.conf', line: 1 } }),
  one('refuses [] as a header', '[s]\n[]\n', { error: { file: 'f0.conf', line: 2 } }),
  one(
    'interpolates %(name)s from the section and [DEFAULT]',
    '[DEFAULT]\nbase = /srv\n[s]\ndir = %(BASE)s/koji\nlit = 100%%\n',
    {
      sections: [
        ['DEFAULT', { base: '/srv' }, { base: '/srv' }],
        ['s', { base: '/srv', dir: '%(BASE)s/koji', lit: '100%%' }, { base: '/srv', dir: '/srv/koji', lit: '100%' }],
      ],
    },
    true,
  ),
  one('reports a lone % when interpolating', '[s]\na = 5%\n', { sections: [['DEFAULT', {}, {}], ['s', { a: '5%' }, 'interpolation error']] }, true),
  one('reports a reference loop when interpolating', '[s]\na = %(b)s\nb = %(a)s\n', {
    sections: [['DEFAULT', {}, {}], ['s', { a: '%(b)s', b: '%(a)s' }, 'interpolation error']],
  }, true),
  {
    name: 'merges files: later ones override, sections reopen without error',
    texts: ['[s]\na = 1\nb = 1\n[t]\nx = 1\n', '[s]\nb = 2\nc = 2\n'],
    expected: raw(NO_DEFAULTS, ['s', { a: '1', b: '2', c: '2' }], ['t', { x: '1' }]),
  },
  {
    name: 'names the file in which a multi-file error sits',
    texts: ['[s]\na = 1\n', '[s]\nb = 1\n[s]\n'],
    expected: { error: { file: 'f1.conf', line: 3 } },
  },
];

describe('parseIni', () => {
  for (const c of TABLE) {
    it(c.name, () => {
      expect(ours(c)).toEqual(c.expected);
    });
  }

  it.skipIf(!HAS_PYTHON)('agrees with python3 configparser on every table case', () => {
    const results = python(TABLE);
    TABLE.forEach((c, i) => expect({ name: c.name, result: results[i] }).toEqual({ name: c.name, result: c.expected }));
  });

  it.skipIf(!HAS_PYTHON)('agrees with python3 configparser on 2000 random files', () => {
    const cases = randomCases(2000, 20240601);
    const results = python(cases);
    cases.forEach((c, i) => expect({ texts: c.texts, result: ours(c) }).toEqual({ texts: c.texts, result: results[i]! }));
  });

  it('formats errors as file:line: reason', () => {
    const bad: [string, string][] = [
      ['[hub]\nKojiDir = /x\njunk\n', "hub.conf:3: option line without '=' or ':'"],
      ['[hub]\n= x\n', 'hub.conf:2: option line with an empty name'],
      ['KojiDir = /x\n', 'hub.conf:1: no section header before this line'],
      ['[hub]\n[policy]\n[hub]\n', 'hub.conf:3: section [hub] already exists'],
      ['[hub]\nPlugins = a\nplugins = b\n', "hub.conf:3: option 'plugins' in section [hub] already exists"],
    ];
    for (const [text, message] of bad) {
      expect(() => parseIni(text, 'hub.conf')).toThrow(message);
    }
  });

  it('carries file, line and reason on the error, with koji fault code 1021', () => {
    const err = catchError(() => parseIni('[s]\n\nnot an option\n', 'kojid.conf'));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ file: 'kojid.conf', line: 3, reason: "option line without '=' or ':'", faultCode: 1021 });
  });

  it('names the file <string> when no name is given', () => {
    expect(() => parseIni('x')).toThrow('<string>:1:');
  });
});

// ------------------------------------------------------------- random inputs

const FRAGMENTS = [
  '[a]', '[b]', '[DEFAULT]', ' [a]', '[a] x', '[]', '[a]]', '[ a ]', '\t[DEFAULT]', 'k = v', 'K: v', 'k=',
  '= v', ': v', 'x', '  x', '\tcont', '    more = 1', '', '   ', '# c', '  ; c', 'a:b=c', 'p = %(k)s',
  'q = %%', 'r = %', 'a = %(b)s', 'b = %(a)s', 'c = %%(x)s', 'C = %(K)s!', 'k = [a]', 'Key = Value ; kept',
  '\u00a0z = 1', '\u3000w = 1', '\x0cfeed = 2', '\x1c\tx = y', 'y = \u0085w\u0085', 'k = 1\x0b2', 'k\t:\tv\t',
  'k==v', '\u2028x = 1',
];
const LINE_ENDS = ['\n', '\n', '\n', '\r\n', '\r'];

function randomCases(count: number, seed: number): Case[] {
  let state = seed;
  const rnd = () => {
    // mulberry32: small, seedable, good enough to spread the cases
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    const texts: string[] = [];
    const files = rnd() < 0.15 ? 2 : 1;
    for (let f = 0; f < files; f++) {
      let text = '';
      const lines = 1 + Math.floor(rnd() * 8);
      for (let j = 0; j < lines; j++) text += pick(FRAGMENTS) + pick(LINE_ENDS);
      texts.push(rnd() < 0.2 ? text.replace(/\n$/, '') : text);
    }
    cases.push({ texts, interpolation: rnd() < 0.5 });
  }
  return cases;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

// ------------------------------------------------------------- lookups

describe('IniDocument', () => {
  const doc = parseIni(
    [
      '[DEFAULT]',
      'shared = yes',
      '[hub]',
      'KojiDebug = On',
      'Plugins = sidetag_hub, runroot_hub',
      '  protonmsg',
      'MaxRequestLength = 4_194_304',
      'Ratio = 2.5e1',
      'Broken = maybe',
      '[Other]',
    ].join('\n'),
    'hub.conf',
  );

  it('looks options up whatever their case', () => {
    expect(doc.get('hub', 'kojidebug')).toBe('On');
    expect(doc.get('hub', 'KOJIDEBUG')).toBe('On');
    expect(doc.option('hub', 'kojidebug')).toMatchObject({ name: 'KojiDebug', key: 'kojidebug', line: 4, file: 'hub.conf' });
  });

  it('keeps section names case-sensitive', () => {
    expect(doc.has('Other')).toBe(true);
    expect(doc.has('other')).toBe(false);
    expect(doc.get('HUB', 'KojiDebug')).toBeUndefined();
  });

  it('does not count [DEFAULT] as a section but shows it through', () => {
    expect(doc.sections()).toEqual(['hub', 'Other']);
    expect(doc.has('DEFAULT')).toBe(false);
    expect(doc.get('Other', 'shared')).toBe('yes');
    expect(doc.get('missing', 'shared')).toBeUndefined();
    expect(doc.items('Other')).toEqual({ shared: 'yes' });
  });

  it('reads booleans as configparser does', () => {
    const words = ['1', 'yes', 'TRUE', 'On', '0', 'No', 'false', 'OFF'];
    const d = parseIni('[s]\n' + words.map((w, i) => `k${i} = ${w}`).join('\n'));
    expect(words.map((_, i) => d.getBool('s', `k${i}`))).toEqual([true, true, true, true, false, false, false, false]);
    expect(doc.getBool('hub', 'KojiDebug', false)).toBe(true);
    expect(doc.getBool('hub', 'absent', true)).toBe(true);
    expect(doc.getBool('hub', 'absent')).toBeUndefined();
  });

  it('refuses a non-boolean with the option location', () => {
    expect(() => doc.getBool('hub', 'Broken', false)).toThrow("hub.conf:9: [hub] Broken: not a boolean: 'maybe'");
  });

  it('reads integers and floats as Python int() and float() do', () => {
    expect(doc.getInt('hub', 'MaxRequestLength', 0)).toBe(4194304);
    expect(doc.getFloat('hub', 'Ratio')).toBe(25);
    const d = parseIni('[s]\na = +7\nb = 0x10\nc = 1.0\nd = -.5e-3\ne = -inf\nf = nan\ng = 1__0\n');
    expect(d.getInt('s', 'a')).toBe(7);
    expect(() => d.getInt('s', 'b')).toThrow("not an integer: '0x10'");
    expect(() => d.getInt('s', 'c')).toThrow("not an integer: '1.0'");
    expect(d.getFloat('s', 'd')).toBe(-0.0005);
    expect(d.getFloat('s', 'e')).toBe(-Infinity);
    expect(d.getFloat('s', 'f')).toBeNaN();
    expect(() => d.getFloat('s', 'g')).toThrow("not a number: '1__0'");
    expect(d.getInt('s', 'absent', 3)).toBe(3);
  });

  it('splits lists on whitespace, commas and continuation lines', () => {
    expect(doc.getList('hub', 'Plugins')).toEqual(['sidetag_hub', 'runroot_hub', 'protonmsg']);
    expect(doc.getList('hub', 'absent', ['x'])).toEqual(['x']);
  });

  it.skipIf(!HAS_PYTHON)('agrees with python3 on getboolean, getint and getfloat', () => {
    const values = [
      '1', 'Yes', 'on', 'OFF', '2', 'y', '', '1_000', '+5', '-0', '0x10', '1.0', '007', '1e3', '1_0.5',
      'inf', '-Infinity', '+nan', '.5', '5.', '1e', '_1', '1__0', '1_', 'infinit', '1E+2', '-.5e-3',
    ];
    const text = '[s]\n' + values.map((v, i) => `k${i} = ${v}`).join('\n') + '\n';
    const script = String.raw`
import configparser, json, sys
cp = configparser.RawConfigParser(); cp.read_string(sys.stdin.read())
def conv(fn, key):
    try:
        v = fn('s', key)
        return repr(v)
    except ValueError:
        return 'error'
print(json.dumps([[conv(f, 'k%d' % i) for f in (cp.getboolean, cp.getint, cp.getfloat)] for i in range(${values.length})]))
`;
    const run = Bun.spawnSync(['python3', '-c', script], { stdin: new TextEncoder().encode(text) });
    const theirs = JSON.parse(run.stdout.toString()) as string[][];
    const d = parseIni(text);
    const pyRepr = (fn: () => number | boolean | undefined, float: boolean): string => {
      try {
        const v = fn()!;
        if (typeof v === 'boolean') return v ? 'True' : 'False';
        if (Number.isNaN(v)) return 'nan';
        if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
        const text = Object.is(v, -0) ? '-0' : String(v);
        return float && Number.isInteger(v) ? `${text}.0` : text;
      } catch {
        return 'error';
      }
    };
    values.forEach((v, i) => {
      const mine = [
        pyRepr(() => d.getBool('s', `k${i}`), false),
        pyRepr(() => d.getInt('s', `k${i}`), false),
        pyRepr(() => d.getFloat('s', `k${i}`), true),
      ];
      expect({ value: v, result: mine }).toEqual({ value: v, result: theirs[i]! });
    });
  });
});

// ------------------------------------------------------------- the seed's policy

describe('the [policy] block from koji\'s sidetag documentation', () => {
  // the hub.conf example of the seed (shared/seed/koji-plugins.txt), as written there
  const block = readFileSync(new URL('../fixtures/seed/sidetag-hub-conf.txt', import.meta.url).pathname, 'utf8');

  it('parses into one rule text per policy, comments dropped', () => {
    const doc = parseIni('[hub]\n' + block, 'hub.conf');
    expect(doc.getList('hub', 'Plugins')).toEqual(['sidetag_hub']);
    expect(doc.items('policy')).toEqual({
      sidetag: '\ntag f30-build && compare number_of_tags <= 10 :: allow\nall :: deny',
      package_list: '\nmatch action block && is_sidetag_owner :: allow\nall :: deny',
    });
  });

  it.skipIf(!HAS_PYTHON)('reads the same in python3', () => {
    const text = '[hub]\n' + block;
    expect(ours({ texts: [text] })).toEqual(python([{ texts: [text] }])[0]!);
  });
});

// ------------------------------------------------------------- writing

describe('formatIni', () => {
  const sample = {
    koji: { server: 'http://hub:8080/kojihub', user: 'a;b', password: 'p#q %s', anon_retry: true, poll_interval: 6 },
    other: { note: 'first\nsecond\n\nafter a blank', empty: '' },
  };

  it('writes sections that parseIni reads back unchanged', () => {
    const text = formatIni(sample, { interpolation: true });
    const doc = parseIni(text, 'profile', { interpolation: true });
    expect(doc.items('koji')).toEqual({
      server: 'http://hub:8080/kojihub', user: 'a;b', password: 'p#q %s', anon_retry: 'true', poll_interval: '6',
    });
    expect(doc.items('other')).toEqual(sample.other);
  });

  it('escapes % only for interpolating readers', () => {
    expect(formatIni({ s: { a: '50%' } })).toBe('[s]\na = 50%\n');
    expect(formatIni({ s: { a: '50%' } }, { interpolation: true })).toBe('[s]\na = 50%%\n');
  });

  it('refuses names and values that would read back differently', () => {
    expect(() => formatIni({ s: { 'a=b': 'x' } })).toThrow(ConfigError);
    expect(() => formatIni({ s: { '#a': 'x' } })).toThrow(ConfigError);
    expect(() => formatIni({ s: { a: ' padded' } })).toThrow(ConfigError);
    expect(() => formatIni({ s: { a: 'x\n  indented' } })).toThrow(ConfigError);
    expect(() => formatIni({ s: { a: 'x\n# comment' } })).toThrow(ConfigError);
    expect(() => formatIni({ s: { a: 'x\n' } })).toThrow(ConfigError);
    expect(() => formatIni({ 's\n': { a: 'x' } })).toThrow(ConfigError);
  });

  it.skipIf(!HAS_PYTHON)('writes files python3 reads back unchanged', () => {
    for (const interpolation of [false, true]) {
      const text = formatIni(sample, { interpolation });
      const [result] = python([{ texts: [text], interpolation }]);
      const expected: SectionDump[] = [['DEFAULT', {}, {}]];
      for (const [name, values] of Object.entries(sample)) {
        const items = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
        const rawItems = interpolation
          ? Object.fromEntries(Object.entries(items).map(([k, v]) => [k, v.replaceAll('%', '%%')]))
          : items;
        expected.push([name, rawItems, items]);
      }
      expect(result).toEqual({ sections: expected });
    }
  });
});
