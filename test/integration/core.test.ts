/**
 * The foundation against the real binary: login and sessions, users and
 * permissions, introspection, multiCall, faults and hostile input, driven by
 * the kojibox CLI and by Python's xmlrpc.client speaking Koji's dialect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'bun:test';
import { ADMIN_PASSWORD, python, startHub, stopHub, type TestHub } from '../helpers/hub.ts';

let hub: TestHub;

beforeAll(async () => {
  hub = await startHub();
  const r = await hub.cli(['add-user', 'bob', '--password-stdin'], { stdin: 'bob-pw-123\n' });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(() => stopHub(hub));

async function post(body: string | Uint8Array, headers: Record<string, string> = {}) {
  return fetch(hub.hubUrl, { method: 'POST', body, headers: { 'Content-Type': 'text/xml', ...headers } });
}

describe('sessions', () => {
  it('logs in with a password and reports the user, over the foreign client', async () => {
    const r = await python(hub.hubUrl, `
p = login('bob', 'bob-pw-123')
me = p.getLoggedInUser()
out({'name': me['name'], 'authtype': me['authtype'], 'anon': hub.getLoggedInUser()})
`);
    expect(r.stderr).toBe('');
    expect(r.json).toEqual({ name: 'bob', authtype: 0, anon: null });
  });

  it('refuses a wrong password with AuthError', async () => {
    const r = await python(hub.hubUrl, `out(fault(lambda: hub.login('bob', 'nope', None)))`);
    expect(r.json).toEqual({ faultCode: 1002, faultString: 'invalid username or password' });
  });

  it('rejects a forged session key and a replayed call number', async () => {
    const r = await python(hub.hubUrl, `
t = SessionTransport()
p = x.ServerProxy(URL, allow_none=True, transport=t)
res = p.login('bob', 'bob-pw-123', None)
t.sid = res['session-id']; t.key = res['session-key'] + 'x'; t.callnum = 0
forged = fault(lambda: p.getPerms())
t.key = res['session-key']
ok = fault(lambda: p.getPerms())
t.callnum -= 1
replay = fault(lambda: p.getPerms())
t.callnum -= 3
old = fault(lambda: p.getPerms())
out([forged, ok, replay, old])
`);
    const [forged, ok, replay, old] = r.json as Array<Record<string, unknown>>;
    expect(forged).toEqual({ faultCode: 1002, faultString: 'Invalid session or bad credentials' });
    expect(ok).toEqual({ ok: [] });
    expect(replay!.faultCode).toBe(1009);
    expect(old!.faultCode).toBe(1008);
  });

  it('logs out, after which the session is refused', async () => {
    const r = await python(hub.hubUrl, `
p = login('bob', 'bob-pw-123')
p.logout()
out(fault(lambda: p.getPerms()))
`);
    expect((r.json as { faultCode: number }).faultCode).toBe(1002);
  });

  it('keeps the same session id when an expired session is renewed', async () => {
    // SessionRenewalTimeout is in minutes; this hub uses the default, so
    // renewal is exercised directly through login(renew=True).
    const r = await python(hub.hubUrl, `
t = SessionTransport()
p = x.ServerProxy(URL, allow_none=True, transport=t)
res = p.login('bob', 'bob-pw-123', None)
t.sid = res['session-id']; t.key = res['session-key']; t.callnum = 0
again = p.login('bob', 'bob-pw-123', None, kw(renew=True))
out([res['session-id'], again['session-id'], again['session-key'] != res['session-key'], again['header-auth']])
`);
    const [a, b, changed, headerAuth] = r.json as [number, number, boolean, boolean];
    expect(b).toBe(a);
    expect(changed).toBe(true);
    expect(headerAuth).toBe(true);
  });
});

describe('permissions', () => {
  it('refuses an anonymous admin call with AuthError and an unprivileged one with ActionNotAllowed', async () => {
    const r = await python(hub.hubUrl, `
anon = fault(lambda: hub.createUser('eve'))
p = login('bob', 'bob-pw-123')
denied = fault(lambda: p.createUser('eve'))
out([anon, denied])
`);
    const [anon, denied] = r.json as Array<{ faultCode: number; faultString: string }>;
    expect(anon).toEqual({ faultCode: 1004, faultString: 'admin permission required (user not logged in)' });
    expect(denied).toEqual({ faultCode: 1004, faultString: 'admin permission required (logged in as bob)' });
  });

  it('grants and revokes permissions through the CLI and reports them', async () => {
    expect((await hub.cli(['grant-permission', 'tag', 'bob'])).code).toBe(0);
    let perms = await hub.cli(['list-permissions', '--user', 'bob']);
    expect(perms.stdout.trim()).toBe('tag');
    const again = await hub.cli(['grant-permission', 'tag', 'bob']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('GenericError: user bob already has permission: tag');
    const r = await python(hub.hubUrl, `
p = login('bob', 'bob-pw-123')
out([p.hasPerm('tag'), p.hasPerm('admin'), hub.hasPerm('tag'), p.getPerms()])
`);
    expect(r.json).toEqual([true, false, false, ['tag']]);
    expect((await hub.cli(['revoke-permission', 'tag', 'bob'])).code).toBe(0);
    perms = await hub.cli(['list-permissions', '--user', 'bob']);
    expect(perms.stdout.trim()).toBe('');
  });

  it('creates a new permission with a description only with --new', async () => {
    const bad = await hub.cli(['grant-permission', '--description', 'x', 'newperm', 'bob']);
    expect(bad.code).toBe(2);
    const ok = await hub.cli(['grant-permission', '--new', '--description', 'Lab access', 'lab', 'bob']);
    expect(ok.code).toBe(0);
    const all = await hub.cli(['list-permissions']);
    expect(all.stdout).toMatch(/^lab\s+Lab access$/m);
  });

  it('stores passwords hashed, never in plain text', async () => {
    const { Database } = await import('bun:sqlite');
    const db = new Database(`${hub.dataDir}/kojibox.db`, { readonly: true });
    const rows = db.query('SELECT name, password FROM users WHERE password IS NOT NULL').all() as Array<{ name: string; password: string }>;
    db.close();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      expect(row.password).toMatch(/^\$2[aby]\$/);
      expect(row.password).not.toContain('bob-pw-123');
      expect(row.password).not.toContain(ADMIN_PASSWORD);
    }
  });

  it('lets a user change their own password, ending their other sessions', async () => {
    await hub.cli(['add-user', 'carol', '--password-stdin'], { stdin: 'carol-pw-123\n' });
    const changed = await hub.cli(['passwd'], { user: 'carol', password: 'carol-pw-123', stdin: 'carol-new-pw\n' });
    expect(changed.stderr).toBe('');
    expect(changed.code).toBe(0);
    const oldPw = await hub.cli(['hello'], { user: 'carol', password: 'carol-pw-123' });
    expect(oldPw.code).toBe(1);
    expect(oldPw.stderr).toContain('AuthError: invalid username or password');
    const newPw = await hub.cli(['hello'], { user: 'carol', password: 'carol-new-pw' });
    expect(newPw.stdout).toContain('carol');
  });
});

describe('introspection', () => {
  it('answers version calls and lists the API with signatures', async () => {
    const r = await python(hub.hubUrl, `
api = {m['name']: m for m in hub._listapi()}
out([hub.getAPIVersion(), hub.getKojiVersion(), hub.hello(), api['getUser']['argdesc'],
     api['getUser']['args'], 'multiCall' in hub.system.listMethods(), hub.system.methodHelp('hasPerm')])
`);
    const [apiv, kv, hello, argdesc, args, hasMulti, help] = r.json as unknown[];
    expect(apiv).toBe(1);
    expect(kv).toBe('1.35.3');
    expect(hello).toBe('Hello World');
    expect(argdesc).toBe('(userInfo=None, strict=False, krb_princs=True, groups=False)');
    expect(args).toEqual([['userInfo', null], ['strict', false], ['krb_princs', true], ['groups', false]]);
    expect(hasMulti).toBe(true);
    expect(help).toStartWith('hasPerm(perm, strict=False)\ndescription: ');
  });

  it('sends the Koji-Version header on every reply, faults included', async () => {
    const ok = await post(`<?xml version="1.0"?><methodCall><methodName>getAPIVersion</methodName><params/></methodCall>`);
    expect(ok.headers.get('koji-version')).toBe('1.35.3');
    const bad = await post(`<?xml version="1.0"?><methodCall><methodName>noSuchThing</methodName><params/></methodCall>`);
    expect(bad.status).toBe(200);
    expect(bad.headers.get('koji-version')).toBe('1.35.3');
    expect(await bad.text()).toContain('Invalid method: noSuchThing');
  });

  it('reports events: getLastEvent and getEvent', async () => {
    const r = await python(hub.hubUrl, `
e = hub.getLastEvent()
out([e, hub.getEvent(e['id']), fault(lambda: hub.getEvent(10**9)), hub.getEvent(10**9, False)])
`);
    const [last, same, missing, none] = r.json as [{ id: number; ts: number }, unknown, { faultCode: number }, unknown];
    expect(last.id).toBeGreaterThan(0);
    expect(typeof last.ts).toBe('number');
    expect(same).toEqual(last);
    expect(missing.faultCode).toBe(1000);
    expect(none).toBeNull();
  });
});

describe('multiCall', () => {
  it('returns [value] per success and a fault struct per failure, in order', async () => {
    const r = await python(hub.hubUrl, `
p = login('admin', ${JSON.stringify(ADMIN_PASSWORD)})
res = p.multiCall([
  {'methodName': 'getAPIVersion', 'params': []},
  {'methodName': 'noSuch', 'params': []},
  {'methodName': 'createUser', 'params': ['dave', kw(status=0)]},
  {'methodName': 'createUser', 'params': ['dave']},
  {'methodName': 'getUser', 'params': ['dave', kw(strict=True)]},
])
out(res)
`);
    const res = r.json as unknown[];
    expect(res[0]).toEqual([1]);
    expect(res[1]).toEqual({ faultCode: 1000, faultString: 'Invalid method: noSuch' });
    expect(Array.isArray(res[2])).toBe(true);
    expect(res[3]).toEqual({ faultCode: 1000, faultString: 'user already exists: dave' });
    expect((res[4] as Array<{ name: string }>)[0]!.name).toBe('dave');
  });

  it('rolls back a failed entry without losing the others (system.multicall alias too)', async () => {
    const r = await python(hub.hubUrl, `
p = login('admin', ${JSON.stringify(ADMIN_PASSWORD)})
res = p.system.multicall([
  {'methodName': 'grantPermission', 'params': ['dave', 'fresh-perm', kw(create=True)]},
  {'methodName': 'grantPermission', 'params': ['nobody-here', 'other-perm', kw(create=True)]},
])
perms = [x['name'] for x in hub.getAllPerms()]
out([res, 'fresh-perm' in perms, 'other-perm' in perms])
`);
    const [res, fresh, other] = r.json as [unknown[], boolean, boolean];
    expect(res[0]).toEqual([null]);
    expect((res[1] as { faultCode: number }).faultCode).toBe(1000);
    expect(fresh).toBe(true);
    expect(other).toBe(false);
  });
});

describe('bad input', () => {
  it('gives Python\'s TypeError texts as ParameterError for wrong argument counts and names', async () => {
    const r = await python(hub.hubUrl, `
out([fault(lambda: hub.getUser(1, 2, 3, 4, 5)), fault(lambda: hub.getUser(kw(bogus=1))),
     fault(lambda: hub.getEvent()), fault(lambda: hub.hasPerm(123))])
`);
    const [tooMany, unexpected, missing, wrongType] = r.json as Array<{ faultCode: number; faultString: string }>;
    expect(tooMany).toEqual({ faultCode: 1019, faultString: 'getUser() takes from 0 to 4 positional arguments but 5 were given' });
    expect(unexpected).toEqual({ faultCode: 1019, faultString: "getUser() got an unexpected keyword argument 'bogus'" });
    expect(missing).toEqual({ faultCode: 1019, faultString: "getEvent() missing 1 required positional argument: 'id'" });
    expect(wrongType!.faultCode).toBe(1019);
  });

  it('answers malformed and hostile XML with 400 and keeps serving', async () => {
    const cases = [
      'not xml at all',
      '<?xml version="1.0"?><methodCall><methodName>hello</methodName><params><param><value><struct><member><value>1</value></member></struct></value></param></params></methodCall>',
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><methodCall><methodName>hello</methodName><params><param><value>&lol2;</value></param></params></methodCall>',
      `<?xml version="1.0"?><methodCall><methodName>hello</methodName><params><param>${'<value><array><data>'.repeat(5000)}</param></params></methodCall>`,
      '<methodCall><methodName>hello</methodName><params><param><value><bogus>1</bogus></value></param></params></methodCall>',
    ];
    for (const body of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('Bad XML-RPC request');
    }
    const big = new Uint8Array(70 * 1024 * 1024).fill(0x20);
    const res = await fetch(hub.hubUrl, { method: 'POST', body: big, headers: { 'Content-Type': 'text/xml' } }).catch((e) => e as Error);
    if (res instanceof Response) expect([400, 413]).toContain(res.status);
    const still = await python(hub.hubUrl, `out(hub.getAPIVersion())`);
    expect(still.json).toBe(1);
  });

  it('refuses GET on /kojihub and an empty body', async () => {
    expect((await fetch(hub.hubUrl)).status).toBe(405);
    expect((await post('')).status).toBe(400);
  });

  it('prints one clear line and exits non-zero for a CLI error', async () => {
    const r = await hub.cli(['grant-permission', 'admin', 'nobody']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('No such user: nobody');
  });
});

describe('start-up', () => {
  it('stops with file, line and reason on a malformed hub.conf', async () => {
    const err = await startHub({ config: { 'koji-hub/hub.conf': '[hub]\nPlugins = \nthis line is wrong\n' } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/hub\.conf.*3/);
  });

  it('writes a random admin password to a 0600 file when none is given', async () => {
    const { statSync, readFileSync } = await import('node:fs');
    const h = await startHub({ env: { KOJIBOX_ADMIN_PASSWORD: '' } });
    try {
      expect(h.log()).toContain(`admin password written to ${h.dataDir}/admin.password`);
      const st = statSync(`${h.dataDir}/admin.password`);
      expect(st.mode & 0o777).toBe(0o600);
      const pw = readFileSync(`${h.dataDir}/admin.password`, 'utf8').trim();
      const r = await h.cli(['hello'], { user: 'admin', password: pw });
      expect(r.stdout).toContain('admin');
    } finally {
      await stopHub(h);
    }
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const h = await startHub();
    await h.stop('SIGTERM');
    expect(h.proc.exitCode).toBe(0);
    await stopHub(h);
  });
});
