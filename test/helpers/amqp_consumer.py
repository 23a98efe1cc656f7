#!/usr/bin/python3
"""An AMQP 1.0 consumer on Debian's python3-qpid-proton, for protonmsg tests.

It subscribes to one address, prints {"ready": true} once the broker has
attached the link, then one JSON line per message (address, message-id,
application properties, body, ttl) and exits after --count messages or
--timeout seconds without one. kojibox did not write this client, which is
the point: messages must be readable by what the field uses.
"""

import argparse
import json
import sys

from proton import SSLDomain
from proton.handlers import MessagingHandler
from proton.reactor import Container, Filter, DurableSubscription
from proton import Described, symbol

SELECTOR = symbol('apache.org:selector-filter:string')
SELECTOR_CODE = 0x0000468C00000004


def emit(obj):
    sys.stdout.write(json.dumps(obj) + '\n')
    sys.stdout.flush()


class Consumer(MessagingHandler):
    def __init__(self, opts):
        super().__init__(prefetch=100, auto_accept=True)
        self.opts = opts
        self.seen = 0
        self.timer = None

    def on_start(self, event):
        domain = None
        if self.opts.url.startswith('amqps://'):
            domain = SSLDomain(SSLDomain.MODE_CLIENT)
            if self.opts.ca:
                domain.set_trusted_ca_db(self.opts.ca)
            domain.set_peer_authentication(SSLDomain.VERIFY_PEER)
            if self.opts.cert:
                domain.set_credentials(self.opts.cert, self.opts.key or self.opts.cert, None)
        if self.opts.container_id:
            event.container.container_id = self.opts.container_id
        conn = event.container.connect(self.opts.url, ssl_domain=domain, reconnect=False)
        options = []
        if self.opts.selector:
            options.append(Filter({SELECTOR: Described(SELECTOR_CODE, self.opts.selector)}))
        if self.opts.durable:
            options.append(DurableSubscription())
        event.container.create_receiver(conn, self.opts.address, name=self.opts.durable or None,
                                        options=options or None)
        self.arm(event)

    def arm(self, event):
        if self.timer:
            self.timer.cancel()
        self.timer = event.container.schedule(self.opts.timeout, self)

    def on_timer_task(self, event):
        emit({'timeout': True, 'seen': self.seen})
        event.container.stop()

    def on_link_opened(self, event):
        if event.receiver:
            emit({'ready': True})

    def on_message(self, event):
        m = event.message
        self.seen += 1
        emit({
            'address': m.address,
            'id': str(m.id) if m.id is not None else None,
            'properties': m.properties,
            'body': m.body,
            'ttl': m.ttl,
        })
        if self.opts.count and self.seen >= self.opts.count:
            if self.opts.durable:
                # detach (not close) keeps a durable subscription for next time
                event.receiver.detach()
            event.connection.close()
            if self.timer:
                self.timer.cancel()
            return
        self.arm(event)

    def on_transport_error(self, event):
        cond = event.transport.condition
        emit({'error': str(cond.description if cond else 'transport error')})
        event.container.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--url', required=True)
    p.add_argument('--address', default='koji.#')
    p.add_argument('--selector')
    p.add_argument('--ca')
    p.add_argument('--cert')
    p.add_argument('--key')
    p.add_argument('--count', type=int, default=0)
    p.add_argument('--timeout', type=float, default=20.0)
    p.add_argument('--durable')
    p.add_argument('--container-id')
    Container(Consumer(p.parse_args())).run()


if __name__ == '__main__':
    main()
