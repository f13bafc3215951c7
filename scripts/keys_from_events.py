#!/usr/bin/env python3
"""Writes a gateway key table (docs/gateway.md) for the accounts of an event
log: one API key "key-<account>" per account, with the org, payment
fingerprint, e-mail domain, verification and sign-up time of its first event.
For demos and tests on simulated logs; real providers export their own.

Usage: keys_from_events.py EVENTS(.jsonl|.jsonl.zst) OUT.jsonl
"""
import json
import subprocess
import sys


def lines(path):
    if path.endswith(".zst"):
        with subprocess.Popen(["zstd", "-dc", path], stdout=subprocess.PIPE, text=True) as unzstd:
            yield from unzstd.stdout
    else:
        with open(path) as events:
            yield from events


def main():
    events_path, out_path = sys.argv[1], sys.argv[2]
    first = {}
    for line in lines(events_path):
        try:
            event = json.loads(line)
        except ValueError:
            continue  # hydraguard stats reports bad lines; a key table needs none
        if isinstance(event, dict) and "account" in event:
            first.setdefault(event["account"], event)
    with open(out_path, "w") as out:
        for account, event in first.items():
            row = {"key": "key-" + account, "account": account}
            for field, key in (("org", "org"), ("payment", "payment"), ("email_domain", "email_domain"),
                               ("verified", "verified"), ("account_created", "created")):
                if field in event:
                    row[key] = event[field]
            out.write(json.dumps(row) + "\n")
    print(f"{len(first)} keys written to {out_path}")


if __name__ == "__main__":
    main()
