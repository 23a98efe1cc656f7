/**
 * @module
 * Config root resolution, file reading, the typed hub/kojid/client configs
 * with their defaults, plugin config paths, and the sample root in etc/.
 */
import { afterAll, describe, expect, it } from 'bun:test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { clientConfigFromIni, CLIENT_DEFAULTS, loadClientConfig } from '../../src/config/client.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { HUB_DEFAULTS, hubConfigFromIni, loadHubConfig } from '../../src/config/hub.ts';
import { parseIni } from '../../src/config/ini.ts';
import { KOJID_DEFAULTS, kojidConfigFromIni, loadKojidConfig } from '../../src/config/kojid.ts';
import { builderPluginConfigPath, hubPluginConfigPath, loadPluginConfig } from '../../src/config/plugin.ts';
import { readConfigFile, readConfigFiles, resolveConfigRoot } from '../../src/config/root.ts';

const scratch = mkdtempSync(join(tmpdir(), 'kojibox-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirCount = 0;

/** A fresh directory with the given files (relative path -> contents). */
function tree(files: Record<string, string | Uint8Array>): string {
  const root = join(scratch, String(dirCount++));
  mkdirSync(root);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

const REPO_ETC = new URL('../../etc', import.meta.url).pathname;
const HAS_PYTHON = Bun.spawnSync(['python3', '-c', 'import configparser'], { stderr: 'ignore' }).exitCode === 0;

describe('resolveConfigRoot', () => {
  it('prefers --config-root, then KOJIBOX_CONFIG_ROOT, then /etc', () => {
    expect(resolveConfigRoot('/flag', { KOJIBOX_CONFIG_ROOT: '/env' })).toBe('/flag');
    expect(resolveConfigRoot(undefined, { KOJIBOX_CONFIG_ROOT: '/env' })).toBe('/env');
    expect(resolveConfigRoot(undefined, {})).toBe('/etc');
  });

  it('treats empty values as unset', () => {
    expect(resolveConfigRoot('', { KOJIBOX_CONFIG_ROOT: '' })).toBe('/etc');
  });
});

describe('readConfigFile', () => {
  it('returns null for a missing file', () => {
    expect(readConfigFile(tree({}), 'koji-hub/hub.conf')).toBeNull();
  });

  it('parses an existing file and names it by full path in errors', () => {
    const root = tree({ 'koji-hub/hub.conf': '[hub]\nKojiDir = /srv/koji\n', 'kojid/kojid.conf': '[kojid]\noops\n' });
    expect(readConfigFile(root, 'koji-hub/hub.conf')?.get('hub', 'kojidir')).toBe('/srv/koji');
    expect(() => readConfigFile(root, 'kojid/kojid.conf')).toThrow(`${root}/kojid/kojid.conf:2: option line without`);
  });

  it('refuses a byte-order mark and invalid UTF-8, as koji cannot read them', () => {
    const root = tree({ 'bom.conf': '\ufeff[hub]\n', 'latin1.conf': new Uint8Array([0x5b, 0x68, 0x5d, 0x0a, 0x61, 0x3d, 0xe9, 0x0a]) });
    expect(() => readConfigFile(root, 'bom.conf')).toThrow('byte-order mark');
    expect(() => readConfigFile(root, 'latin1.conf')).toThrow('not valid UTF-8');
  });

  it('reads a directory\'s *.conf files in name order before the main file', () => {
    const root = tree({
      'koji-hub/hub.conf.d/20-b.conf': '[hub]\nKojiDebug = yes\nLockOut = yes\n',
      'koji-hub/hub.conf.d/10-a.conf': '[hub]\nKojiDebug = no\nServerOffline = yes\n',
      'koji-hub/hub.conf.d/30-c.conf.rpmsave': '[hub]\nServerOffline = no\n',
      'koji-hub/hub.conf': '[hub]\nLockOut = no\n',
    });
    const doc = readConfigFiles(root, ['koji-hub/hub.conf.d', 'koji-hub/hub.conf'])!;
    expect(doc.items('hub')).toEqual({ kojidebug: 'yes', serveroffline: 'yes', lockout: 'no' });
  });
});

describe('hubConfigFromIni', () => {
  it('gives koji\'s defaults without a file', () => {
    const config = hubConfigFromIni(null);
    expect(config).toEqual({ ...HUB_DEFAULTS });
    expect(config).toMatchObject({
      KojiDir: undefined, Plugins: [], MissingPolicyOk: true, SessionRenewalTimeout: 1440,
      CheckClientIP: true, MaxRequestLength: 4194304, KojiDebug: false, policy: {}, volumes: {},
    });
  });

  it('reads koji\'s options and kojibox\'s additions with their types', () => {
    const config = hubConfigFromIni(
      parseIni(
        [
          '[hub]',
          'KojiDir = /srv/koji',
          'DataDir = /var/lib/kojibox',
          'Listen = 0.0.0.0:80',
          'AMQPListen = 127.0.0.1:5671',
          'DBName = /var/lib/kojibox/db.sqlite',
          'Plugins = sidetag_hub runroot_hub',
          '    protonmsg',
          'kojidebug = On',
          'MissingPolicyOk = False',
          'SessionRenewalTimeout = 0',
          'MaxRequestLength = 1_000',
          'OfflineMessage = back at 5',
          'SourceTags = *-src',
          '[volumes]',
          'Archive = /srv/archive',
          '[policy]',
          'tag =',
          '    has_perm admin :: allow',
          '    all :: deny',
        ].join('\n'),
      ),
    );
    expect(config).toMatchObject({
      KojiDir: '/srv/koji', DataDir: '/var/lib/kojibox', Listen: '0.0.0.0:80', AMQPListen: '127.0.0.1:5671',
      DBName: '/var/lib/kojibox/db.sqlite', Plugins: ['sidetag_hub', 'runroot_hub', 'protonmsg'], KojiDebug: true,
      MissingPolicyOk: false, SessionRenewalTimeout: 0, MaxRequestLength: 1000, OfflineMessage: 'back at 5',
      SourceTags: ['*-src'], volumes: { Archive: '/srv/archive' },
      policy: { tag: '\nhas_perm admin :: allow\nall :: deny' },
    });
  });

  it('splits Plugins on whitespace only, as koji does', () => {
    expect(hubConfigFromIni(parseIni('[hub]\nPlugins = a,b c\n')).Plugins).toEqual(['a,b', 'c']);
  });

  it('reports a mistyped value with its line', () => {
    expect(() => hubConfigFromIni(parseIni('[hub]\n\nKojiDebug = perhaps\n', 'hub.conf'))).toThrow(
      "hub.conf:3: [hub] KojiDebug: not a boolean: 'perhaps'",
    );
    expect(() => hubConfigFromIni(parseIni('[hub]\nMaxRequestLength = 4M\n', 'hub.conf'))).toThrow('hub.conf:2:');
  });
});

describe('loadHubConfig', () => {
  it('uses hub.conf.d and hub.conf under the root, hub.conf last', () => {
    const root = tree({
      'koji-hub/hub.conf.d/site.conf': '[hub]\nKojiDebug = yes\nPlugins = sidetag_hub\n',
      'koji-hub/hub.conf': '[hub]\nPlugins = runroot_hub\n',
    });
    expect(loadHubConfig(root)).toMatchObject({ KojiDebug: true, Plugins: ['runroot_hub'] });
  });

  it('serves the defaults from an empty root', () => {
    expect(loadHubConfig(tree({}))).toEqual({ ...HUB_DEFAULTS });
  });
});

describe('kojidConfigFromIni', () => {
  it('gives kojid\'s defaults without a file', () => {
    const config = kojidConfigFromIni(null);
    expect(config).toEqual({ ...KOJID_DEFAULTS });
    expect(config).toMatchObject({
      maxjobs: 10, sleeptime: 15, failed_buildroot_lifetime: 4 * 3600, plugin: [], allowed_scms: [],
      workdir: '/var/tmp/koji', capacity: 2, arches: [],
    });
  });

  it('reads the options with kojid\'s types', () => {
    const config = kojidConfigFromIni(
      parseIni(
        [
          '[kojid]',
          'server = http://hub.example.com/kojihub',
          'user = builder1.example.com',
          'password = secret',
          'topurl = http://hub.example.com/kojifiles',
          'mockdir = /srv/buildroots',
          'maxjobs = 4',
          'failed_buildroot_lifetime = 600',
          'plugins = runroot save_failed_tree',
          'allowed_scms =',
          '    git.example.org:/example/*:no',
          '    scm.example.com:/cvs/example:yes:make,sources',
          'offline_retry = off',
          'arches = x86_64, noarch',
          'capacity = 4.5',
          'RLIMIT_NOFILE = 4096',
          'mockuser = kojibuilder',
        ].join('\n'),
      ),
    );
    expect(config).toMatchObject({
      server: 'http://hub.example.com/kojihub', user: 'builder1.example.com', password: 'secret',
      topurl: 'http://hub.example.com/kojifiles', mockdir: '/srv/buildroots', maxjobs: 4,
      failed_buildroot_lifetime: 600, plugin: ['runroot', 'save_failed_tree'], offline_retry: false,
      allowed_scms: ['git.example.org:/example/*:no', 'scm.example.com:/cvs/example:yes:make,sources'],
      arches: ['x86_64', 'noarch'], capacity: 4.5,
    });
  });

  it('takes the later of plugin and plugins', () => {
    expect(kojidConfigFromIni(parseIni('[kojid]\nplugins = a\nplugin = b\n')).plugin).toEqual(['b']);
    expect(kojidConfigFromIni(parseIni('[kojid]\nplugin = b\nplugins = a\n')).plugin).toEqual(['a']);
  });

  it('refuses unknown options and other sections, as kojid does', () => {
    expect(() => kojidConfigFromIni(parseIni('[kojid]\nmaxjob = 3\n', 'kojid.conf'))).toThrow(
      'kojid.conf:2: unknown config option: maxjob',
    );
    expect(() => kojidConfigFromIni(parseIni('[kojid]\n[extra]\n', 'kojid.conf'))).toThrow(
      'kojid.conf:2: invalid section found in config file: extra',
    );
  });

  it('type-checks options kojibox does not use', () => {
    expect(() => kojidConfigFromIni(parseIni('[kojid]\noz_install_timeout = soon\n'))).toThrow('not an integer');
    expect(() => kojidConfigFromIni(parseIni('[kojid]\nallow_noverifyssl = sure\n'))).toThrow('not a boolean');
  });

  it('wants a positive capacity', () => {
    expect(() => kojidConfigFromIni(parseIni('[kojid]\ncapacity = 0\n', 'kojid.conf'))).toThrow(
      'kojid.conf:2: [kojid] capacity: must be a positive number',
    );
  });

  it('is read from kojid/kojid.conf under the root', () => {
    const root = tree({ 'kojid/kojid.conf': '[kojid]\nmaxjobs = 2\n' });
    expect(loadKojidConfig(root).maxjobs).toBe(2);
    expect(loadKojidConfig(tree({}))).toEqual({ ...KOJID_DEFAULTS });
  });
});

describe('clientConfigFromIni', () => {
  const text = [
    '[koji]',
    'server = https://koji.example.com/kojihub',
    'anon_retry = yes',
    'poll_interval = 2',
    'cert = ~/.koji/me.pem',
    'password = 100%%',
    '[lab]',
    'server = http://lab:8080/kojihub',
    'user = alice',
    'no_ssl_verify = True',
  ].join('\n');
  const doc = parseIni(text, 'koji.conf', { interpolation: true });

  it('reads the [koji] profile by default', () => {
    expect(clientConfigFromIni(doc, { home: '/home/u' })).toMatchObject({
      profile: 'koji', server: 'https://koji.example.com/kojihub', anon_retry: true, poll_interval: 2,
      cert: '/home/u/.koji/me.pem', password: '100%', max_retries: 30, use_fast_upload: true,
    });
  });

  it('reads another profile by its section name', () => {
    expect(clientConfigFromIni(doc, { profile: 'lab' })).toMatchObject({
      profile: 'lab', server: 'http://lab:8080/kojihub', user: 'alice', no_ssl_verify: true, anon_retry: false,
    });
  });

  it('serves the defaults when the default profile is absent', () => {
    expect(clientConfigFromIni(null)).toEqual({ profile: 'koji', ...CLIENT_DEFAULTS });
  });

  it('refuses a named profile that is absent, like koji', () => {
    expect(() => clientConfigFromIni(doc, { profile: 'nope' })).toThrow('no configuration for profile name: nope');
  });

  it('refuses a value koji would refuse', () => {
    const bad = parseIni('[koji]\npoll_interval = often\nx = 5%\n', 'koji.conf', { interpolation: true });
    expect(() => clientConfigFromIni(bad)).toThrow(ConfigError);
  });
});

describe('loadClientConfig', () => {
  it('reads koji.conf.d, koji.conf, then ~/.koji/config.d and ~/.koji/config, later winning', () => {
    const root = tree({
      'koji.conf.d/site.conf': '[koji]\nserver = http://a/kojihub\nweburl = http://a/koji\ntopurl = http://a/files\n',
      'koji.conf': '[koji]\nweburl = http://b/koji\npoll_interval = 3\n',
    });
    const home = tree({
      '.koji/config.d/x.conf': '[koji]\ntopurl = http://c/files\n',
      '.koji/config': '[koji]\nuser = bob\npassword = s3cret\n',
    });
    expect(loadClientConfig({ root, home })).toMatchObject({
      server: 'http://a/kojihub', weburl: 'http://b/koji', topurl: 'http://c/files', poll_interval: 3,
      user: 'bob', password: 's3cret', cert: '', serverca: '',
    });
  });

  it('reads --config instead of the user\'s files, and wants it to exist', () => {
    const root = tree({ 'koji.conf': '[koji]\nserver = http://a/kojihub\n' });
    const home = tree({ '.koji/config': '[koji]\nuser = bob\n', 'other.conf': '[koji]\nuser = carol\n' });
    expect(loadClientConfig({ root, home, configFile: '~/other.conf' }).user).toBe('carol');
    expect(() => loadClientConfig({ root, home, configFile: '~/absent.conf' })).toThrow("can't be opened");
  });

  it('falls back to ~/.koji/client.crt and serverca.crt when they exist', () => {
    const home = tree({ '.koji/client.crt': 'cert', '.koji/serverca.crt': 'ca' });
    expect(loadClientConfig({ root: tree({}), home })).toMatchObject({
      cert: join(home, '.koji/client.crt'), serverca: join(home, '.koji/serverca.crt'),
    });
  });
});

describe('loadPluginConfig', () => {
  it('reads koji-hub/plugins and kojid/plugins files under the root', () => {
    const root = tree({
      'koji-hub/plugins/sidetag.conf': '[sidetag]\nallowed_suffixes = debug,test\n',
      'kojid/plugins/runroot.conf': '[paths]\ndefault_mounts = /mnt/%%koji\n',
    });
    expect(hubPluginConfigPath('sidetag')).toBe('koji-hub/plugins/sidetag.conf');
    expect(builderPluginConfigPath('runroot')).toBe('kojid/plugins/runroot.conf');
    expect(loadPluginConfig(root, hubPluginConfigPath('sidetag'))?.getList('sidetag', 'allowed_suffixes')).toEqual([
      'debug', 'test',
    ]);
    const runroot = loadPluginConfig(root, builderPluginConfigPath('runroot'), { interpolation: true });
    expect(runroot?.get('paths', 'default_mounts')).toBe('/mnt/%koji');
  });

  it('returns null when the plugin has no file', () => {
    expect(loadPluginConfig(tree({}), hubPluginConfigPath('protonmsg'))).toBeNull();
  });
});

describe('the sample config root in etc/', () => {
  it('loads as hub, builder and client config', () => {
    expect(loadHubConfig(REPO_ETC)).toMatchObject({ KojiWebURL: 'http://127.0.0.1:8080/koji', policy: {} });
    expect(loadKojidConfig(REPO_ETC)).toMatchObject({
      server: 'http://127.0.0.1:8080/kojihub', topurl: 'http://127.0.0.1:8080/kojifiles',
    });
    expect(loadClientConfig({ root: REPO_ETC, home: tree({}) })).toMatchObject({
      server: 'http://127.0.0.1:8080/kojihub', weburl: 'http://127.0.0.1:8080/koji',
      topurl: 'http://127.0.0.1:8080/kojifiles',
    });
  });

  it('has a commented [policy] example that, uncommented, gives the sidetag rules', () => {
    const text = readFileSync(join(REPO_ETC, 'koji-hub/hub.conf'), 'utf8');
    const example = text.slice(text.indexOf('# [policy]'));
    const uncommented = example.replace(/^# ?/gm, '');
    expect(hubConfigFromIni(parseIni('[hub]\n' + uncommented)).policy).toEqual({
      sidetag: '\ntag f30-build && compare number_of_tags <= 10 :: allow\nall :: deny',
      package_list: '\nmatch action block && is_sidetag_owner :: allow\nall :: deny',
    });
  });

  it('lists every option kojid would accept, also when uncommented', () => {
    const text = readFileSync(join(REPO_ETC, 'kojid/kojid.conf'), 'utf8');
    const uncommented = text.replace(/^; ?(?=[a-z_]+ =)/gm, '').replace(/^; (?= {4}\S)/gm, '');
    const config = kojidConfigFromIni(parseIni(uncommented, 'kojid.conf'));
    expect(config.plugin).toEqual(['runroot', 'save_failed_tree', 'kiwi']);
    expect(config.allowed_scms).toHaveLength(2);
  });

  it.skipIf(!HAS_PYTHON)('reads the same in python3', () => {
    const files = [['koji-hub/hub.conf', false], ['kojid/kojid.conf', false], ['koji.conf', true]] as const;
    const script = `import configparser, json, sys
out = []
for path, interpolate in json.loads(sys.argv[1]):
    cp = (configparser.ConfigParser if interpolate else configparser.RawConfigParser)()
    cp.read(path, encoding='utf8')
    out.append({s: dict(cp.items(s)) for s in cp.sections()})
print(json.dumps(out))`;
    const args = JSON.stringify(files.map(([rel, interpolation]) => [join(REPO_ETC, rel), interpolation]));
    const theirs = JSON.parse(Bun.spawnSync(['python3', '-c', script, args]).stdout.toString());
    const mine = files.map(([rel, interpolation]) => {
      const doc = readConfigFile(REPO_ETC, rel, { interpolation })!;
      return Object.fromEntries(doc.sections().map((s) => [s, doc.items(s)]));
    });
    expect(mine).toEqual(theirs);
    expect(mine.every((sections) => Object.keys(sections).length === 1)).toBe(true);
  });
});
