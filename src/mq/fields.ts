/**
 * @module
 * What a selector identifier means for an AMQP message: application
 * properties by name, plus the JMS header names that the AMQP JMS mapping
 * ties to standard message sections (JMSMessageID, JMSPriority, ...), so
 * selectors written for ActiveMQ or Qpid consumers work unchanged.
 */

import type { Message } from 'rhea';
import type { SelectorLookup } from './selector-eval.ts';

function idToString(id: unknown): unknown {
  if (id === undefined || id === null) return null;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  if (id instanceof Uint8Array) return Buffer.from(id).toString('hex');
  return String(id);
}

function time(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  return typeof value === 'number' ? value : null;
}

/** rhea types user_id as a string but decodes the AMQP binary into a Buffer. */
function userId(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return typeof value === 'string' ? value : null;
}

/** Header fields a selector may name, resolved against the message sections. */
const HEADER_FIELDS: Record<string, (m: Message) => unknown> = {
  JMSMessageID: (m) => idToString(m.message_id),
  JMSCorrelationID: (m) => idToString(m.correlation_id),
  JMSType: (m) => m.message_annotations?.['x-opt-jms-type'] ?? m.subject ?? null,
  JMSPriority: (m) => m.priority ?? 4,
  JMSDeliveryMode: (m) => (m.durable ? 'PERSISTENT' : 'NON_PERSISTENT'),
  JMSTimestamp: (m) => time(m.creation_time),
  JMSExpiration: (m) => time(m.absolute_expiry_time) ?? 0,
  JMSXGroupID: (m) => m.group_id ?? null,
  JMSXGroupSeq: (m) => m.group_sequence ?? null,
  JMSXUserID: (m) => userId(m.user_id),
  JMSXDeliveryCount: (m) => (m.delivery_count ?? 0) + 1,
};

/** Builds the identifier resolver a selector is evaluated with. */
export function messageLookup(message: Message): SelectorLookup {
  const props: Record<string, unknown> = message.application_properties ?? {};
  return (name) => {
    const header = HEADER_FIELDS[name];
    if (header) return header(message);
    return Object.hasOwn(props, name) ? props[name] : null;
  };
}
