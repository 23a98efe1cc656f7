import { describe, expect, it } from 'bun:test';
import { MESSAGE_BUILDERS, stripExtra, type MessageContext } from '../../plugins/protonmsg/messages.ts';
import { fullAddress, normaliseTopicPrefix, protonConfigFromIni } from '../../plugins/protonmsg/config.ts';
import { parseIni } from '../../src/config/ini.ts';
import { pyJsonDumps } from '../../plugins/protonmsg/json.ts';

const mc = (extraLimit = 0, types: string[] | null = ['rpm']): MessageContext => ({ extraLimit, buildTypes: () => types });
const build = { id: 7, name: 'foo', version: '1.0', release: '1', nvr: 'foo-1.0-1', extra: { typeinfo: { rpm: null }, big: 'x'.repeat(50) } };
const tag = { id: 3, name: 'f30' };
const user = { id: 1, name: 'admin', status: 0, usertype: 0 };

describe('MESSAGE_BUILDERS', () => {
  it("builds build.tag with Koji's properties and the callback's keyword arguments as body", () => {
    const m = MESSAGE_BUILDERS.postTag!({ tag, build, user, force: false, cbtype: 'postTag' }, mc())!;
    expect(m.address).toBe('build.tag');
    expect(m.props).toEqual({ type: 'Tag', tag: 'f30', name: 'foo', version: '1.0', release: '1', user: 'admin' });
    expect(JSON.parse(m.body)).toEqual({ tag, build, user, force: false });
    expect(m.body.startsWith('{"tag": {"id": 3, "name": "f30"}, "build": ')).toBe(true);
  });

  it('builds package.add and package.block from the action', () => {
    const args = { action: 'block', tag, package: { id: 2, name: 'foo' }, owner: 1, block: true, extra_arches: null, force: false, update: false, user };
    const m = MESSAGE_BUILDERS.postPackageListChange!(args, mc())!;
    expect(m.address).toBe('package.block');
    expect(m.props).toEqual({ type: 'PackageListChange', tag: 'f30', package: 'foo', action: 'block', user: 'admin' });
    expect(JSON.parse(m.body)).toEqual(args);
  });

  it('names task states in address, properties and body whether core passes names or numbers', () => {
    const info = { id: 5, parent: null, method: 'build', state: 2 };
    const byNumber = MESSAGE_BUILDERS.postTaskStateChange!({ attribute: 'state', old: 1, new: 2, info }, mc())!;
    const byName = MESSAGE_BUILDERS.postTaskStateChange!({ attribute: 'state', old: 'OPEN', new: 'CLOSED', info }, mc())!;
    for (const m of [byNumber, byName]) {
      expect(m.address).toBe('task.closed');
      expect(m.props).toEqual({ type: 'TaskStateChange', id: 5, parent: null, method: 'build', attribute: 'state', old: 'OPEN', new: 'CLOSED' });
      expect(JSON.parse(m.body)).toEqual({ attribute: 'state', old: 'OPEN', new: 'CLOSED', info });
    }
  });

  it('ignores task and build changes of attributes other than state', () => {
    expect(MESSAGE_BUILDERS.postTaskStateChange!({ attribute: 'weight', old: 1, new: 2, info: {} }, mc())).toBeNull();
    expect(MESSAGE_BUILDERS.postBuildStateChange!({ attribute: 'volume_id', old: 0, new: 1, info: build }, mc())).toBeNull();
  });

  it('sends build states as numbers in the body, names in properties, and adds btypes', () => {
    const m = MESSAGE_BUILDERS.postBuildStateChange!({ attribute: 'state', old: 'BUILDING', new: 1, info: build }, mc())!;
    expect(m.address).toBe('build.complete');
    expect(m.props).toEqual({ type: 'BuildStateChange', name: 'foo', version: '1.0', release: '1', attribute: 'state', old: 'BUILDING', new: 'COMPLETE' });
    expect(JSON.parse(m.body)).toEqual({ attribute: 'state', old: 0, new: 1, info: build, btypes: { rpm: null } });
    const fresh = MESSAGE_BUILDERS.postBuildStateChange!({ attribute: 'state', old: null, new: 0, info: build }, mc())!;
    expect(fresh.address).toBe('build.building');
    expect(fresh.props.old).toBeNull();
  });

  it('drops build.extra above extra_limit and keeps it at or under', () => {
    // Koji measures json.dumps text, whose separators carry spaces.
    const size = pyJsonDumps(build.extra).length;
    expect(size).toBeGreaterThan(JSON.stringify(build.extra).length);
    expect(stripExtra(build, mc(size))).toBe(build);
    const m = MESSAGE_BUILDERS.postTag!({ tag, build, user }, mc(size - 1))!;
    const body = JSON.parse(m.body) as { build: Record<string, unknown> };
    expect('extra' in body.build).toBe(false);
    expect(body.build.nvr).toBe('foo-1.0-1');
  });

  it('builds repo.init and repo.done with task_id as Koji adds it', () => {
    const init = MESSAGE_BUILDERS.postRepoInit!({ tag, with_src: false, with_debuginfo: false, event: 10, repo_id: 4 }, mc())!;
    expect(init.address).toBe('repo.init');
    expect(init.props).toEqual({ type: 'RepoInit', tag: 'f30', repo_id: 4, task_id: null });
    expect(init.body.endsWith('"repo_id": 4, "task_id": null}')).toBe(true);
    const repo = { id: 4, tag_name: 'f30', task_id: 9, state: 1 };
    const done = MESSAGE_BUILDERS.postRepoDone!({ repo, data: {}, expire: false }, mc())!;
    expect(done.address).toBe('repo.done');
    expect(done.props).toEqual({ type: 'RepoDone', tag: 'f30', repo_id: 4, task_id: 9, expire: false });
    expect(JSON.parse(done.body)).toEqual({ repo, data: {}, expire: false, task_id: null });
  });

  it('builds import, sign and promote messages', () => {
    const imp = MESSAGE_BUILDERS.postImport!({ type: 'rpm', rpm: {}, build, filepath: '/x', fileinfo: null }, mc())!;
    expect(imp.address).toBe('import.rpm');
    expect(imp.props).toEqual({ type: 'Import', importType: 'rpm', name: 'foo', version: '1.0', release: '1' });
    const rpm = { name: 'foo', version: '1.0', release: '1', arch: 'noarch' };
    expect(MESSAGE_BUILDERS.postRPMSign!({ sigkey: '', sighash: 'x', build, rpm }, mc())).toBeNull();
    const sign = MESSAGE_BUILDERS.postRPMSign!({ sigkey: 'abcd', sighash: 'x', build, rpm }, mc())!;
    expect(sign.address).toBe('sign.rpm');
    expect(sign.props).toMatchObject({ type: 'RPMSign', sigkey: 'abcd', rpm_arch: 'noarch' });
    const promote = MESSAGE_BUILDERS.postBuildPromote!({ draft_release: '1,draft_7', target_release: '1', build, user }, mc())!;
    expect(promote.address).toBe('build.promote');
    expect(promote.props).toEqual({ type: 'BuildPromote', build_id: 7, name: 'foo', version: '1.0', release: '1', draft_release: '1,draft_7', target_release: '1', user: 'admin' });
  });
});

describe('protonmsg config', () => {
  it('normalises topic_prefix as Koji does', () => {
    expect(normaliseTopicPrefix('koji')).toBe('topic://koji');
    expect(normaliseTopicPrefix('topic://koji')).toBe('topic://koji');
    expect(normaliseTopicPrefix('/topic/VirtualTopic.eng.koji')).toBe('/topic/VirtualTopic.eng.koji');
    expect(fullAddress({ topicPrefix: '/topic/koji' }, 'build.tag')).toBe('/topic/koji.build.tag');
  });

  it("reads Koji's options with defaults and refuses a non-amqp url", () => {
    const cfg = protonConfigFromIni(parseIni('[broker]\nurls = amqp://a:1 amqps://b\ntopic_prefix = k\n[queue]\nage = 2\n'));
    expect(cfg).toMatchObject({ urls: ['amqp://a:1', 'amqps://b'], topicPrefix: 'topic://k', connectTimeout: 10, sendTimeout: 60, batchSize: 100, maxAge: 2, queueEnabled: true, extraLimit: 0, ttl: null });
    expect(() => protonConfigFromIni(parseIni('[broker]\nurls = http://x\n'))).toThrow(/not an amqp/);
  });
});
