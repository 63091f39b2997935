"""A real SMTP server on loopback for the mail tests (aiosmtpd).

usage: SMTP_SINK_USER=u SMTP_SINK_PASSWORD=p python3 smtp_sink.py OUT_DIR [REJECT_ADDRESS]

Listens on 127.0.0.1 on a free port, prints the port on one line once it accepts
connections, requires AUTH (PLAIN or LOGIN, allowed without TLS on loopback) with that user
and password, saves each message it receives as OUT_DIR/N.eml (the envelope in N.json), and
answers 550 to RCPT TO: REJECT_ADDRESS. Runs until killed.
"""

import json
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    """Saves every message; refuses one recipient."""

    def __init__(self, out_dir, reject):
        self.out_dir = out_dir
        self.reject = reject
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and address.lower() == self.reject.lower():
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.out_dir, str(self.count))
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        # Written under a temporary name and renamed, so a reader never sees half a message.
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    """Accepts exactly the user and password from the environment."""
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == os.environ["SMTP_SINK_USER"]
        and auth_data.password.decode() == os.environ["SMTP_SINK_PASSWORD"]
    )
    return AuthResult(success=ok)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    out_dir = sys.argv[1]
    reject = sys.argv[2] if len(sys.argv) > 2 else ""
    port = free_port()
    controller = Controller(
        Sink(out_dir, reject),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    print(port, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
