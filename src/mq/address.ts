/**
 * @module
 * Topic addresses for the embedded broker: the prefix spellings different
 * brokers require (ActiveMQ `topic://`, RabbitMQ `/topic/`, ...) all name the
 * same topic here, and receivers may use AMQP-style wildcards (`*` one word,
 * `#` zero or more words, words separated by dots).
 */

/**
 * Prefixes that only say "this is a topic" (or a queue) on some other broker.
 * Koji's protonmsg adds `topic://` unless the admin wrote `/topic/`, so the
 * same consumer must be reachable under either spelling.
 */
const NODE_PREFIXES = ['topic://', 'queue://', '/topic/', '/queue/', '/exchange/amq.topic/'];

/** Strips a broker-specific node prefix, leaving the topic name itself. */
export function normaliseAddress(address: string): string {
  for (const prefix of NODE_PREFIXES) {
    if (address.startsWith(prefix)) return address.slice(prefix.length);
  }
  return address;
}

/** A compiled receiver address: matches topic names (already normalised). */
export interface AddressPattern {
  /** The normalised address the pattern was compiled from. */
  readonly source: string;
  /** True when the address contains `*` or `#` words. */
  readonly wildcard: boolean;
  matches(topic: string): boolean;
}

/**
 * Compiles a receiver address. Only whole words `*` and `#` are wildcards, so
 * a topic such as `koji.build*` is matched literally.
 */
export function compileAddress(address: string): AddressPattern {
  const source = normaliseAddress(address);
  const words = source.split('.');
  const wildcard = words.some((w) => w === '*' || w === '#');
  if (!wildcard) {
    return { source, wildcard, matches: (topic) => topic === source };
  }
  // Every message asks every subscription, and a bus has a few dozen topics:
  // remembering the answers saves splitting and backtracking per message.
  // The bound only guards against senders that invent topics without end.
  const answers = new Map<string, boolean>();
  const matches = (topic: string): boolean => {
    let answer = answers.get(topic);
    if (answer === undefined) {
      answer = matchWords(words, topic.split('.'));
      if (answers.size >= MEMO_LIMIT) answers.clear();
      answers.set(topic, answer);
    }
    return answer;
  };
  return { source, wildcard, matches };
}

const MEMO_LIMIT = 1024;

/**
 * Word-by-word match with `#` backtracking. Memoised on (pattern index, topic
 * index) so patterns with several `#` stay linear in practice.
 */
function matchWords(pattern: string[], topic: string[]): boolean {
  const seen = new Set<number>();
  const width = topic.length + 1;
  const step = (i: number, j: number): boolean => {
    if (i === pattern.length) return j === topic.length;
    const key = i * width + j;
    if (seen.has(key)) return false;
    seen.add(key);
    const word = pattern[i];
    if (word === '#') return step(i + 1, j) || (j < topic.length && step(i, j + 1));
    if (j === topic.length) return false;
    if (word === '*' || word === topic[j]) return step(i + 1, j + 1);
    return false;
  };
  return step(0, 0);
}
