#!/usr/bin/env python3
"""A fetchmail/getmail-style client on Python's poplib, for pop3's tests.

usage: poplib_client.py HOST PORT USER PASS MODE EXPECTED_DIR
MODE keep: CAPA, STAT, LIST, UIDL, TOP n 0, RETR every message, QUIT.
MODE delete: as keep, then DELE every message before QUIT.
EXPECTED_DIR holds 1.eml, 2.eml, ... in wire form (CRLF). Prints one line
per message "n octets uidl" and exits non-zero on any mismatch.
"""
import os
import poplib
import sys


def main():
    host, port, user, pw, mode, expected = sys.argv[1:7]
    p = poplib.POP3(host, int(port), timeout=30)
    caps = p.capa()
    for c in ("TOP", "UIDL", "USER", "PIPELINING", "RESP-CODES"):
        if c not in caps:
            sys.exit("capability %s missing: %r" % (c, caps))
    p.user(user)
    p.pass_(pw)
    count, total = p.stat()
    resp, listing, _ = p.list()
    sizes = {}
    for line in listing:
        n, size = line.split()
        sizes[int(n)] = int(size)
    resp, uidls, _ = p.uidl()
    uids = {}
    for line in uidls:
        n, uid = line.split()
        uids[int(n)] = uid.decode()
    if len(sizes) != count or sum(sizes.values()) != total or len(uids) != count:
        sys.exit("STAT %d %d disagrees with LIST/UIDL" % (count, total))
    for n in range(1, count + 1):
        want = open(os.path.join(expected, "%d.eml" % n), "rb").read()
        resp, lines, octets = p.top(n, 0)
        head = b"\r\n".join(lines) + b"\r\n"
        if not want.startswith(head):
            sys.exit("TOP %d 0 is not the message's head" % n)
        resp, lines, octets = p.retr(n)
        got = b"\r\n".join(lines) + b"\r\n"
        if octets != sizes[n] or len(want) != sizes[n]:
            sys.exit("message %d: LIST %d, RETR %d octets, stored %d" % (n, sizes[n], octets, len(want)))
        if got != want:
            sys.exit("message %d differs" % n)
        if mode == "delete":
            p.dele(n)
        print(n, octets, uids[n])
    p.quit()


if __name__ == "__main__":
    main()
