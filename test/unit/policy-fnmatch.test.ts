import { describe, expect, it } from 'bun:test';
import { fnmatch, fnmatchAny, fnmatchToRegExp } from '../../src/core/fnmatch.ts';

/** [name, pattern, expected]; expectations recorded from CPython 3 `fnmatch.fnmatch`. */
const PYTHON_RESULTS: [string, string, boolean][] = [
  ["f30-build", "f30-*", true],
  ["f30-build", "*-build", true],
  ["a/b/c", "a*c", true],
  ["a/b", "a?b", true],
  ["abc", "a?", false],
  ["ab", "a?", true],
  ["a.b", "a.b", true],
  ["axb", "a.b", false],
  ["x", "[abc]", false],
  ["b", "[abc]", true],
  ["b", "[!abc]", false],
  ["x", "[!abc]", true],
  ["]", "[]]", true],
  ["a", "[]a]", true],
  ["]", "[!]]", false],
  ["x", "[!]]", true],
  ["[", "[", true],
  ["[a", "[a", true],
  ["a]", "a]", true],
  ["b", "[a-c]", true],
  ["-", "[a-]", true],
  ["-", "[-a]", true],
  ["d", "[a-c-e]", false],
  ["-", "[a-c-e]", true],
  ["b", "[c-a]", false],
  ["b", "[!c-a]", true],
  ["\n", "*", true],
  ["a\nb", "a?b", true],
  ["a\\b", "a\\b", true],
  ["a\\b", "a[\\]b", true],
  ["ab", "a\\b", false],
  ["x+y", "x+y", true],
  ["xxy", "x+y", false],
  ["(a)", "(a)", true],
  ["a|b", "a|b", true],
  ["a", "a|b", false],
  ["FOO", "foo", false],
  ["foo", "FOO", false],
  ["^a$", "^a$", true],
  ["a", "^a$", false],
  ["", "*", true],
  ["", "?", false],
  ["abc", "*b*", true],
  ["€", "?", true],
  ["😀", "?", true],
  ["😀", "[😀]", true],
  ["a", "[!]", false],
  ["[!]", "[!]", true],
  ["$", "[$]", true],
  ["^", "[^]", true],
  ["a", "[^a]", true],
  ["{a}", "{a}", true],
  ["a-1.2", "*-[0-9].*", true],
  ["x", "[a&&b]", false],
  ["&", "[a&&b]", true],
  ["|", "[|]", true],
  ["~", "[~~]", true],
  ["a/b", "a[/]b", true],
  ["foo-1.0", "foo-1.0*", true],
];

describe('fnmatch', () => {
  for (const [name, pattern, expected] of PYTHON_RESULTS) {
    it(`${expected ? 'matches' : 'does not match'} ${JSON.stringify(name)} against ${JSON.stringify(pattern)} as Python does`, () => {
      expect(fnmatch(name, pattern)).toBe(expected);
    });
  }

  it('lets * cross slashes, unlike path globbing', () => {
    expect(fnmatch('work/tasks/1/2', 'work/*')).toBe(true);
  });

  it('matches the whole name, not a substring', () => {
    expect(fnmatch('xf30-buildx', 'f30-build')).toBe(false);
  });
});

describe('fnmatchToRegExp', () => {
  it('returns the same compiled RegExp for the same pattern', () => {
    expect(fnmatchToRegExp('f*')).toBe(fnmatchToRegExp('f*'));
  });

  it('anchors the expression at both ends', () => {
    const re = fnmatchToRegExp('a?c');
    expect(re.test('abc')).toBe(true);
    expect(re.test('zabcz')).toBe(false);
  });
});

describe('fnmatchAny', () => {
  it('is true when any pattern matches and false for no patterns', () => {
    expect(fnmatchAny('f30-build', ['el*', 'f3?-*'])).toBe(true);
    expect(fnmatchAny('f30-build', [])).toBe(false);
  });
});
