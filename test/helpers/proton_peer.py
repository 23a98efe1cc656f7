#!/usr/bin/python3
"""A scriptable AMQP 1.0 peer built on Debian's python3-qpid-proton.

Tests drive it with one JSON command per line on stdin and read one JSON
reply per line on stdout, so a test can interleave connects, attaches,
sends and receives with a broker it did not write the client for.
Run it with /usr/bin/python3 (the system Python that has proton).
"""

import json
import os
import sys
import uuid

from proton import Described, Endpoint, LinkException, Message, SSLDomain, Timeout, symbol, ulong
from proton.reactor import Container, DurableSubscription, Filter
from proton.utils import BlockingConnection, LinkDetached, SendException

SELECTOR = 'apache.org:selector-filter:string'
SELECTOR_CODE = 0x0000468C00000004

connections = {}
links = {}


def plain(value):
    """Proton values (symbols, described, ulong) rendered as JSON-friendly data."""
    if isinstance(value, Described):
        return {'descriptor': plain(value.descriptor), 'value': plain(value.value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return value.decode('utf-8', 'replace')
    if isinstance(value, (bool, str)) or value is None:
        return value if not isinstance(value, symbol) else str(value)
    if isinstance(value, (int, float)):
        return int(value) if isinstance(value, int) else value
    return str(value)


def data_object(data):
    """The value held in a proton Data (None when empty)."""
    data.rewind()
    return data.get_object() if data.next() else None


def find_link(conn, name):
    link = conn.conn.link_head(0)
    while link:
        if link.name == name:
            return link
        link = link.next(0)
    return None


def refusal(conn, name, err):
    link = find_link(conn, name)
    condition = link.remote_condition if link else None
    return {
        'ok': False,
        'error': str(err),
        'condition': str(condition.name) if condition else None,
        'description': condition.description if condition else None,
    }


def op_connect(cmd):
    container = Container()
    if cmd.get('container_id'):
        container.container_id = cmd['container_id']
    domain = None
    if cmd.get('ca') or cmd.get('cert'):
        domain = SSLDomain(SSLDomain.MODE_CLIENT)
        if cmd.get('ca'):
            domain.set_trusted_ca_db(cmd['ca'])
            domain.set_peer_authentication(SSLDomain.VERIFY_PEER_NAME)
        if cmd.get('cert'):
            domain.set_credentials(cmd['cert'], cmd['key'], None)
    conn = BlockingConnection(cmd['url'], timeout=cmd.get('timeout', 10), container=container, ssl_domain=domain)
    connections[cmd['id']] = conn
    return {'ok': True}


def op_receiver(cmd):
    conn = connections[cmd['conn']]
    name = cmd.get('name') or str(uuid.uuid4())
    options = []
    if cmd.get('selector') is not None:
        descriptor = ulong(SELECTOR_CODE) if cmd.get('numeric_descriptor') else symbol(SELECTOR)
        options.append(Filter({symbol('selector'): Described(descriptor, cmd['selector'])}))
    if cmd.get('durable'):
        options.append(DurableSubscription())
    try:
        receiver = conn.create_receiver(cmd.get('address'), name=name, options=options or None,
                                        credit=cmd.get('credit'), dynamic=cmd.get('dynamic', False))
    except (LinkException, LinkDetached) as err:
        return refusal(conn, name, err)
    links[cmd['id']] = receiver
    source = receiver.link.remote_source
    return {
        'ok': True,
        'source': {
            'address': source.address,
            'durable': source.durability,
            'filter': plain(data_object(source.filter)),
        },
    }


def message_json(msg):
    return {
        'body': plain(msg.body),
        'properties': plain(msg.properties),
        'subject': msg.subject,
        'address': msg.address,
        'id': plain(msg.id),
    }


def op_receive(cmd):
    receiver = links[cmd['id']]
    try:
        msg = receiver.receive(timeout=cmd.get('timeout', 5))
    except Timeout:
        return {'ok': False, 'timeout': True}
    settle = cmd.get('settle', 'accept')
    if settle == 'accept':
        receiver.accept()
    elif settle == 'release':
        receiver.release(delivered=False)
    elif settle == 'reject':
        receiver.reject()
    return {'ok': True, 'message': message_json(msg)}


def op_sender(cmd):
    conn = connections[cmd['conn']]
    name = cmd.get('name') or str(uuid.uuid4())
    try:
        links[cmd['id']] = conn.create_sender(cmd.get('address'), name=name)
    except (LinkException, LinkDetached) as err:
        return refusal(conn, name, err)
    return {'ok': True}


def op_send(cmd):
    sender = links[cmd['id']]
    msg = Message(body=cmd.get('body'), properties=cmd.get('properties'), subject=cmd.get('subject'),
                  address=cmd.get('to'), id=cmd.get('message_id'))
    try:
        sender.send(msg, timeout=cmd.get('timeout', 5))
    except SendException as err:
        delivery_state = err.state
        return {'ok': False, 'state': str(delivery_state)}
    return {'ok': True}


def op_detach(cmd):
    """Detach without closing: for a durable receiver this keeps the subscription."""
    link = links.pop(cmd['id'])
    link.link.detach()
    link.connection.wait(lambda: not (link.link.state & Endpoint.REMOTE_ACTIVE), msg='detaching')
    return {'ok': True}


def op_close_link(cmd):
    links.pop(cmd['id']).close()
    return {'ok': True}


def op_close(cmd):
    connections.pop(cmd['conn']).close()
    return {'ok': True}


OPS = {
    'connect': op_connect,
    'receiver': op_receiver,
    'receive': op_receive,
    'sender': op_sender,
    'send': op_send,
    'detach': op_detach,
    'close_link': op_close_link,
    'close': op_close,
}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        try:
            reply = OPS[cmd['op']](cmd)
        except Exception as err:  # every failure goes back to the test as data
            reply = {'ok': False, 'error': '%s: %s' % (type(err).__name__, err)}
        sys.stdout.write(json.dumps(reply) + '\n')
        sys.stdout.flush()
    for conn in list(connections.values()):
        try:
            conn.close()
        except Exception:  # the broker may already be gone; nothing left to tell the test
            pass
    # Skip interpreter teardown, where proton's finalizers print spurious tracebacks.
    os._exit(0)


if __name__ == '__main__':
    main()
