import { describe, expect, it } from 'bun:test';
import { parseXml, serializeXml, XmlError } from '../../plugins/kiwi/xml.ts';
import { DescriptionError, includePath, parseRepoSpec, prepareDescription, preparedName, readDescription, type PrepareOptions } from '../../plugins/kiwi/description.ts';

const DESC = `<?xml version="1.0" encoding="utf-8"?>
<!-- comment kept -->
<image schemaversion="7.4" name="test-image">
    <description type="system"><author>A &amp; B</author></description>
    <profiles>
        <profile name="Small" description="s" image="true"/>
        <profile name="Big" description="b"/>
    </profiles>
    <preferences>
        <version>1.2.3</version>
        <type image="tbz"/>
    </preferences>
    <preferences profiles="Big">
        <type image="docker"/>
    </preferences>
    <include from="this://inc/packages.xml"/>
    <repository type="rpm-md"><source path="http://old/"/></repository>
    <packages type="bootstrap"><package name="filesystem"/></packages>
</image>
`;

const INCLUDED = `<image>
    <packages type="image"><package name="bash"/></packages>
    <repository><source path="http://from-include/"/></repository>
</image>`;

function prepare(text: string, o: Partial<PrepareOptions> = {}) {
  return prepareDescription(text, {
    file: 'config.kiwi', name: 'test-image-Small', version: '2.0', releaseVersion: '40', repos: ['http://repo/'],
    readInclude: (rel) => (rel === 'inc/packages.xml' ? INCLUDED : null), ...o,
  });
}

describe('parseXml', () => {
  it('writes back an unchanged document as it was read', () => {
    expect(serializeXml(parseXml(DESC))).toBe(DESC);
  });

  it('keeps CDATA, processing instructions and a DOCTYPE naming the root', () => {
    const text = '<?xml version="1.0"?>\n<!DOCTYPE image>\n<image><?pi x?><a><![CDATA[<raw> & stuff]]></a></image>\n';
    expect(serializeXml(parseXml(text))).toBe(text);
  });

  it('decodes entities and character references in text and attributes', () => {
    const doc = parseXml('<image name="a&quot;b&#x41;"><v>&lt;&#65;&gt;</v></image>');
    expect(doc.root.attrs).toEqual([['name', 'a"bA']]);
    expect((doc.root.children[0] as { children: Array<{ text: string }> }).children[0]!.text).toBe('<A>');
  });

  it('says where a document is broken', () => {
    const cases: Array<[string, RegExp]> = [
      ['<image><a></image>', /line 1, column 11: mismatched tag: <\/image> closes <a>/],
      ['<image>\n  <a b="1" b="2"/></image>', /line 2, column 12: duplicate attribute b/],
      ['<image>', /element <image> is not closed/],
      ['<image/><other/>', /more than one root element/],
      ['<image>&nbsp;</image>', /undefined entity &nbsp;/],
      ['<!DOCTYPE image [<!ENTITY x "y">]><image/>', /internal subset/],
      ['', /no root element/],
      ['<image a=1/>', /expected a quoted value for attribute a/],
    ];
    for (const [text, message] of cases) {
      let err: unknown;
      try {
        parseXml(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(XmlError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('parses deep nesting without recursion up to its limit', () => {
    const deep = `<image>${'<a>'.repeat(200)}${'</a>'.repeat(200)}</image>`;
    expect(parseXml(deep).root.name).toBe('image');
    expect(() => parseXml(`<image>${'<a>'.repeat(300)}${'</a>'.repeat(300)}</image>`)).toThrow(/nested deeper/);
  });
});

describe('readDescription', () => {
  it('reads the name, version, default profile and includes', () => {
    expect(readDescription(DESC, 'config.kiwi')).toEqual({ name: 'test-image', version: '1.2.3', defaultProfile: 'Small', includes: ['this://inc/packages.xml'] });
  });

  it('gives Koji\'s errors, saying where XML is broken', () => {
    expect(() => readDescription('<image', 'x.kiwi')).toThrow(/^Kiwi description x\.kiwi can't be parsed as XML: line 1, column/);
    expect(() => readDescription('<other/>', 'x.kiwi')).toThrow("Kiwi description x.kiwi doesn't contain <image> tag (its root element is <other>).");
    const noVersion = DESC.replace('<version>1.2.3</version>', '');
    let err: DescriptionError | null = null;
    try {
      readDescription(noVersion, 'x.kiwi');
    } catch (e) {
      err = e as DescriptionError;
    }
    expect(err?.message).toBe("Description file x.kiwi doesn't contain preferences/version");
    expect(err?.kind).toBe('BuildError');
    expect(() => readDescription(DESC.replace(' name="test-image"', ''), 'x.kiwi')).toThrow('<image> has no name attribute');
  });

  it('refuses includes other than this:// and paths leaving the description directory', () => {
    expect(() => readDescription(DESC.replace('this://inc/packages.xml', 'file:///etc/passwd'), 'x.kiwi')).toThrow('Unhandled include protocol in include path: file:///etc/passwd.');
    expect(() => readDescription(DESC.replace('this://inc/packages.xml', 'https://example.invalid/x.xml'), 'x.kiwi')).toThrow('Unhandled include protocol');
    expect(() => includePath('this://../../etc/passwd', 'x')).toThrow('leaves the description directory');
    expect(() => includePath('this:///etc/passwd', 'x')).toThrow('leaves the description directory');
    expect(includePath('this://./a/../b.xml', 'x')).toBe('b.xml');
  });

  it('has no default profile when none is marked image="true"', () => {
    expect(readDescription(DESC.replace(' image="true"', ''), 'x').defaultProfile).toBeNull();
  });
});

describe('prepareDescription', () => {
  it('resolves includes, replaces repositories and sets name, version and release version', () => {
    const { xml, types } = prepare(DESC);
    expect(types).toEqual(['tbz', 'docker']);
    expect(xml).toContain('<!-- comment kept -->');
    expect(xml).toContain('<image schemaversion="7.4" name="test-image-Small">');
    expect(xml).toContain('<packages type="image"><package name="bash"/></packages>');
    expect(xml).not.toContain('include');
    expect(xml).not.toContain('http://old/');
    expect(xml).not.toContain('from-include');
    expect(xml).toContain('<repository type="rpm-md"><source path="http://repo/"/></repository>');
    expect(xml).toContain('<version>2.0</version>');
    expect(xml).toContain('        <release-version>40</release-version>\n    </preferences>');
    expect(xml).toContain('<author>A &amp; B</author>');
    // the result is a description again
    expect(readDescription(xml, 'x').version).toBe('2.0');
  });

  it('updates an existing release-version instead of adding one', () => {
    const { xml } = prepare(DESC.replace('<version>1.2.3</version>', '<version>1.2.3</version><release-version>9</release-version>'));
    expect(xml.match(/<release-version>/g)?.length).toBe(1);
    expect(xml).toContain('<release-version>40</release-version>');
  });

  it('writes the repositories sorted and once each, typed and with attributes', () => {
    const { xml } = prepare(DESC, { repos: ['http://b/', 'apt-deb:http://deb/ distribution=bookworm components=main,contrib use_for_bootstrap=true', 'http://b/', 'http://a/'] });
    const repos = [...xml.matchAll(/<repository [^>]*><source path="([^"]+)"\/><\/repository>/g)].map((m) => m[0]);
    expect(repos).toEqual([
      '<repository type="apt-deb" distribution="bookworm" components="main contrib" use_for_bootstrap="true"><source path="http://deb/"/></repository>',
      '<repository type="rpm-md"><source path="http://a/"/></repository>',
      '<repository type="rpm-md"><source path="http://b/"/></repository>',
    ]);
  });

  it('puts the repositories before the packages when the description has none', () => {
    const { xml } = prepare(DESC.replace(/<repository[^]*?<\/repository>\n {4}/, '').replace(/<include[^>]*>\n {4}/, ''));
    expect(xml.indexOf('<repository')).toBeLessThan(xml.indexOf('<packages'));
  });

  it('says which included file is missing, broken or not an image', () => {
    expect(() => prepare(DESC, { readInclude: () => null })).toThrow('Included file this://inc/packages.xml does not exist in the description directory.');
    expect(() => prepare(DESC, { readInclude: () => '<image>' })).toThrow(/Included file this:\/\/inc\/packages.xml can't be parsed as XML/);
    expect(() => prepare(DESC, { readInclude: () => '<packages/>' })).toThrow('Included file this://inc/packages.xml needs to contain <image> tag.');
    expect(() => prepare(DESC, { readInclude: () => '<image><include from="this://x.xml"/></image>' })).toThrow('one level deep');
  });

  it('names the prepared file after the description and the arch', () => {
    expect(preparedName('desc/config.kiwi', 'x86_64')).toBe('config.x86_64.kiwi');
    expect(preparedName('config.xml', 'aarch64')).toBe('config.aarch64.kiwi');
    expect(preparedName('image', 'ppc64le')).toBe('image.ppc64le.kiwi');
  });
});

describe('parseRepoSpec', () => {
  it('reads a bare URL as rpm-md and a typed one with attributes', () => {
    expect(parseRepoSpec('http://x/repo')).toEqual({ type: 'rpm-md', path: 'http://x/repo', attrs: [] });
    expect(parseRepoSpec('rpm-md:https://x/')).toEqual({ type: 'rpm-md', path: 'https://x/', attrs: [] });
    expect(parseRepoSpec('apt-deb:http://deb.debian.org/debian distribution=bookworm components=main')).toEqual({
      type: 'apt-deb', path: 'http://deb.debian.org/debian', attrs: [['distribution', 'bookworm'], ['components', 'main']],
    });
    // an unknown prefix is the URL's own scheme
    expect(parseRepoSpec('obs://project/repo').type).toBe('rpm-md');
  });

  it('refuses what kiwi could not use, saying why', () => {
    expect(() => parseRepoSpec('')).toThrow('Empty repository');
    expect(() => parseRepoSpec('apt-deb:')).toThrow('nothing is not a URL');
    expect(() => parseRepoSpec('/local/path')).toThrow('/local/path is not a URL');
    expect(() => parseRepoSpec('http://x/ password=secret')).toThrow('unknown attribute password');
    expect(() => parseRepoSpec('http://x/ alias')).toThrow('attribute alias has no value');
    expect(() => parseRepoSpec('http://x/ alias=a alias=b')).toThrow('attribute alias given twice');
  });
});
