#!/usr/bin/env python3
"""The Python side of the ICS benchmark: icalendar parses each file and
recurring-ical-events (on python-dateutil's rrule) expands it over the same
window as ours, repeatedly; one JSON line per file with the best run.

Usage: python_side.py [--after T] [--before T] FILE...   (T in RFC 3339, UTC)
"""

import datetime as dt
import json
import os
import sys
import time

import icalendar
import recurring_ical_events

MIN_RUNS = 1
MIN_TIME = 2.0


def instant(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def main():
    args = sys.argv[1:]
    after, before = instant("2026-06-01T00:00:00Z"), instant("2027-06-01T00:00:00Z")
    files = []
    while args:
        a = args.pop(0)
        if a == "--after":
            after = instant(args.pop(0))
        elif a == "--before":
            before = instant(args.pop(0))
        else:
            files.append(a)
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        best = best_parse = float("inf")
        runs = 0
        occurrences = events = 0
        started = time.perf_counter()
        while runs < MIN_RUNS or time.perf_counter() - started < MIN_TIME:
            t = time.perf_counter()
            cal = icalendar.Calendar.from_ical(data)
            best_parse = min(best_parse, time.perf_counter() - t)
            t = time.perf_counter()
            cal = icalendar.Calendar.from_ical(data)
            occ = recurring_ical_events.of(cal).between(after, before)
            occurrences = len(occ)
            best = min(best, time.perf_counter() - t)
            events = len(cal.walk("VEVENT"))
            runs += 1
        print(json.dumps({
            "impl": "python",
            "file": os.path.basename(path),
            "bytes": len(data),
            "events": events,
            "occurrences": occurrences,
            "runs": runs,
            "parse_seconds": round(best_parse, 6),
            "seconds": round(best, 6),
            "events_per_s": round(events / best),
            "occurrences_per_s": round(occurrences / best),
        }), flush=True)


if __name__ == "__main__":
    main()
