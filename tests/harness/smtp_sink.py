#!/usr/bin/python3
"""An SMTP sink for kpr's tests and local demo: Debian's aiosmtpd, one file per message.

Listens on a loopback port, offers STARTTLS with the given certificate (and can require it),
optionally requires AUTH (only after STARTTLS), and writes every accepted message as its raw
RFC 5322 bytes to DIR/new/<seq>.eml, with the envelope in DIR/meta/<seq>.meta (lines
"mail_from A", "rcpt_to A" per recipient, "tls 0|1", "auth USER"). The .meta file is written
first and the .eml renamed into place last, so a reader never sees half a message.

Faults come from a control file the harness rewrites (atomically): lines "generation G",
"fail_next N", "fail_code C", "delay_ms D". The next N messages of generation G are answered
with C (a 4xx is transient, a 5xx permanent) and not stored; every DATA waits D ms first.

Exits on SIGTERM/SIGINT, and with --exit-with-parent when its parent process goes away.
"""

import argparse
import asyncio
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def read_control(path):
    values = {"generation": 0, "fail_next": 0, "fail_code": 451, "delay_ms": 0}
    if not path or not os.path.exists(path):
        return values
    with open(path, encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[0] in values:
                values[parts[0]] = int(parts[1])
    return values


class SinkHandler:
    def __init__(self, root, control):
        self.root = root
        self.control = control
        self.failed = {}  # generation -> messages failed so far
        for sub in ("tmp", "new", "meta"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
        # Numbers go on from the highest stored, so a restart keeps file names in arrival order.
        stored = [int(n.split(".")[0]) for n in os.listdir(os.path.join(root, "new"))
                  if n.endswith(".eml") and n.split(".")[0].isdigit()]
        self.seq = max(stored, default=0)

    async def handle_DATA(self, server, session, envelope):
        control = read_control(self.control)
        if control["delay_ms"] > 0:
            await asyncio.sleep(control["delay_ms"] / 1000.0)
        generation = control["generation"]
        if self.failed.get(generation, 0) < control["fail_next"]:
            self.failed[generation] = self.failed.get(generation, 0) + 1
            code = control["fail_code"]
            enhanced = "4.3.0" if code < 500 else "5.3.0"
            return f"{code} {enhanced} injected failure"
        self.seq += 1
        name = f"{self.seq:08d}"
        meta = [f"mail_from {envelope.mail_from}"]
        meta += [f"rcpt_to {r}" for r in envelope.rcpt_tos]
        meta.append(f"tls {1 if session.ssl is not None else 0}")
        if session.authenticated:
            meta.append(f"auth {session.auth_data}")
        self._write(os.path.join("meta", name + ".meta"), ("\n".join(meta) + "\n").encode())
        self._write(os.path.join("new", name + ".eml"), envelope.original_content)
        return "250 2.0.0 Ok: queued as " + name

    def _write(self, relative, data):
        tmp = os.path.join(self.root, "tmp", os.path.basename(relative))
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.root, relative))


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if auth_data.login == self.user and auth_data.password == self.password:
            return AuthResult(success=True, auth_data=self.user.decode())
        return AuthResult(success=False, handled=False)  # the server answers 535


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True, help="where messages are written")
    parser.add_argument("--cert", help="PEM certificate for STARTTLS (none: no STARTTLS)")
    parser.add_argument("--key", help="PEM private key of --cert")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--auth-user", help="require AUTH PLAIN/LOGIN as this user")
    parser.add_argument("--auth-password-file", help="the password of --auth-user")
    parser.add_argument("--control", help="fault-injection control file")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="exit when the process that started this one is gone")
    args = parser.parse_args()

    tls = None
    if args.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)
    kwargs = {}
    if args.auth_user:
        with open(args.auth_password_file, encoding="utf-8") as f:
            password = f.read().strip()
        kwargs = {"auth_required": True, "auth_require_tls": tls is not None,
                  "authenticator": Authenticator(args.auth_user, password)}
    controller = Controller(SinkHandler(args.dir, args.control), hostname=args.host,
                            port=args.port, server_hostname="kpr-smtp-sink", tls_context=tls,
                            enable_SMTPUTF8=True,
                            require_starttls=args.require_starttls, **kwargs)
    controller.start()
    print(f"smtp sink listening on {args.host}:{args.port}, messages in {args.dir}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    parent = os.getppid()
    while not done.wait(0.5):
        if args.exit_with_parent and os.getppid() != parent:  # the test died: do not linger
            break
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
