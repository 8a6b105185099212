#!/usr/bin/env python3
"""Python's standard library on the same mbox: split it (the same rule as
ours: a `From ` line at the start or after a blank line, `>From ` unquoted),
parse each message with email.parser.BytesParser(policy=email.policy.default),
and read it as we do: the addresses, the subject, the date, the text body (or
the HTML one), and every attachment's decoded content. Best of RUNS; prints
JSON.

Usage: python_side.py FILE.mbox [RUNS]"""
import email.parser, email.policy, json, re, sys, time

path = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
unquote = re.compile(rb"^>(>*From )")


def messages(f):
    cur, prev_blank, first = None, False, True
    for line in f:
        if line.startswith(b"From ") and (prev_blank or first):
            if cur is not None:
                yield b"".join(cur)
            cur = []
        elif cur is not None:
            cur.append(unquote.sub(rb"\1", line))
        prev_blank = line in (b"\n", b"\r\n")
        first = False
    if cur is not None:
        yield b"".join(cur)


def read(msg):
    for h in ("from", "to", "cc", "reply-to", "subject", "date", "message-id"):
        try:
            str(msg.get(h, ""))
        except Exception:
            pass
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
    except Exception:
        text = ""
    n = 0
    try:
        for part in msg.iter_attachments():
            try:
                part.get_content()
            except Exception:
                pass
            n += 1
    except Exception:
        pass
    return len(text), n


parser = email.parser.BytesParser(policy=email.policy.default)
best, count, failed = None, 0, 0
for _ in range(runs):
    t = time.perf_counter()
    count = failed = 0
    with open(path, "rb") as f:
        for raw in messages(f):
            count += 1
            try:
                read(parser.parsebytes(raw))
            except Exception:
                failed += 1
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
print(json.dumps({"messages": count, "failed": failed, "seconds": round(best, 4),
                  "messages_per_s": round(count / best)}))
