/**
 * @module
 * The set of tests policies may use. Plugins register their tests after the
 * built-ins; a later test with the same name wins, so a plugin can override
 * a built-in (as in koji), possibly only for the policies it names.
 */

import type { PolicyTest } from './types.ts';

export class PolicyRegistry {
  /** Registered tests per name, in registration order. */
  private readonly byName = new Map<string, PolicyTest[]>();

  /** Add one test or several; a test registered later overrides earlier ones of the same name. */
  register(test: PolicyTest | PolicyTest[]): void {
    for (const t of Array.isArray(test) ? test : [test]) {
      if (!t.name || /\s/.test(t.name)) throw new Error(`invalid policy test name: ${JSON.stringify(t.name)}`);
      const list = this.byName.get(t.name) ?? [];
      list.push(t);
      this.byName.set(t.name, list);
    }
  }

  /**
   * The test called `name`. With `policy`, tests restricted to other
   * policies are skipped, so an earlier unrestricted test may answer.
   */
  get(name: string, policy?: string): PolicyTest | undefined {
    const list = this.byName.get(name);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const t = list[i];
      if (!t.policies || policy === undefined || t.policies.includes(policy)) return t;
    }
    return undefined;
  }

  /** Names of all registered tests, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}
