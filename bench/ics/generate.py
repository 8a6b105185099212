#!/usr/bin/env python3
"""Generates calendars for the ICS throughput benchmark (standard library only).

Each calendar holds N series: a realistic mix of single meetings, all-day
events, weekly and monthly recurrences (with COUNT, UNTIL or no end) carrying
EXDATEs and moved occurrences (RECURRENCE-ID overrides), and yearly birthdays,
in several zones (with their VTIMEZONEs, as Google and Apple write them).
The output is deterministic: the same N gives the same file.

Usage: generate.py OUT_DIR N [N ...]   -> OUT_DIR/cal-N.ics
"""

import datetime as dt
import os
import random
import sys

ZONES = {
    "Europe/Amsterdam": ("+0100", "+0200", "CET", "CEST", "-1SU", 3, "-1SU", 10, "020000", "030000"),
    "America/New_York": ("-0500", "-0400", "EST", "EDT", "2SU", 3, "1SU", 11, "020000", "020000"),
    "Asia/Kolkata": ("+0530", None, "IST", None, None, None, None, None, None, None),
}


def vtimezone(name):
    std, dst, std_name, dst_name, dst_day, dst_month, std_day, std_month, dst_at, std_at = ZONES[name]
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}", f"X-LIC-LOCATION:{name}"]
    if dst is None:
        lines += ["BEGIN:STANDARD", f"TZOFFSETFROM:{std}", f"TZOFFSETTO:{std}", f"TZNAME:{std_name}",
                  "DTSTART:19700101T000000", "END:STANDARD"]
    else:
        lines += ["BEGIN:DAYLIGHT", f"TZOFFSETFROM:{std}", f"TZOFFSETTO:{dst}", f"TZNAME:{dst_name}",
                  f"DTSTART:1970{dst_month:02d}08T{dst_at}",
                  f"RRULE:FREQ=YEARLY;BYMONTH={dst_month};BYDAY={dst_day}", "END:DAYLIGHT",
                  "BEGIN:STANDARD", f"TZOFFSETFROM:{dst}", f"TZOFFSETTO:{std}", f"TZNAME:{std_name}",
                  f"DTSTART:1970{std_month:02d}01T{std_at}",
                  f"RRULE:FREQ=YEARLY;BYMONTH={std_month};BYDAY={std_day}", "END:STANDARD"]
    lines.append("END:VTIMEZONE")
    return lines


def fold(line):
    out, data = [], line.encode()
    limit = 75
    while len(data) > limit:
        cut = limit
        while data[cut] & 0xC0 == 0x80:
            cut -= 1
        out.append(data[:cut].decode())
        data = data[cut:]
        limit = 74
    out.append(data.decode())
    return "\r\n ".join(out)


SUBJECTS = ["Board meeting", "1:1 with Chen", "Budget review", "Vendor call", "Team stand-up",
            "Lunch with investor", "Interview: senior engineer", "Quarterly planning", "Focus time",
            "Flight to New York", "Dentist", "Offsite preparation", "Town hall", "Client visit"]
PLACES = ["Boardroom, Herengracht 12", "https://meet.example/abc-defg", "Room 3.14", "Café de Jaren",
          "", "", "Microsoft Teams Meeting"]
DAYS = ["MO", "TU", "WE", "TH", "FR"]


def fmt_local(t):
    return t.strftime("%Y%m%dT%H%M%S")


def when(prop, t, zone):
    if zone == "UTC":
        return f"{prop}:{fmt_local(t)}Z"
    return f"{prop};TZID={zone}:{fmt_local(t)}"


def event(rng, i, now):
    uid = f"bench-{i}@example.org"
    zone = rng.choice(["Europe/Amsterdam", "Europe/Amsterdam", "America/New_York", "Asia/Kolkata", "UTC"])
    day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 700))
    start = dt.datetime.combine(day, dt.time(rng.randrange(7, 18), rng.choice([0, 15, 30, 45])))
    length = dt.timedelta(minutes=rng.choice([15, 30, 30, 45, 60, 60, 90, 120]))
    head = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{now}", f"SUMMARY:{rng.choice(SUBJECTS)} #{i}"]
    place = rng.choice(PLACES)
    if place:
        head.append("LOCATION:" + place.replace(",", "\\,"))
    head.append("ORGANIZER;CN=Anna de Vries:mailto:anna@northwind.example")
    for a in range(rng.randrange(0, 4)):
        head.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Guest {a}:mailto:guest{a}.{i}@example.org")
    kind = rng.random()
    comps = []
    if kind < 0.55:
        body = [when("DTSTART", start, zone), when("DTEND", start + length, zone)]
    elif kind < 0.65:
        days = rng.randrange(1, 4)
        body = [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + dt.timedelta(days=days):%Y%m%d}",
                "TRANSP:TRANSPARENT"]
    elif kind < 0.95:
        weekly = kind < 0.85
        interval = rng.choice([1, 1, 2])
        if weekly:
            byday = sorted(set(rng.sample(DAYS, rng.randrange(1, 3))), key=DAYS.index)
            # Start on a day the rule names, as clients do.
            while start.strftime("%a").upper()[:2] not in byday:
                start += dt.timedelta(days=1)
            rule = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={','.join(byday)}"
        else:
            interval = 1
            rule = rng.choice(["FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=MONTHLY;BYDAY=1TU", "FREQ=MONTHLY;BYDAY=-1FR"])
            # DTSTART on a day the rule names (clients keep them in step).
            if "BYMONTHDAY=15" in rule:
                start = start.replace(day=15)
            elif "1TU" in rule:
                start = start.replace(day=1)
                while start.weekday() != 1:
                    start += dt.timedelta(days=1)
            else:
                start = start.replace(day=28)
                while (start + dt.timedelta(days=7)).month == start.month or start.weekday() != 4:
                    start += dt.timedelta(days=1) if start.weekday() != 4 else dt.timedelta(days=7)
        # Occurrences we can name without expanding: the same weekday every
        # INTERVAL weeks, or the 15th of each month.
        if weekly:
            aligned = [start + dt.timedelta(days=7 * interval * k) for k in range(1, 13)]
        elif "BYMONTHDAY=15" in rule:
            aligned = [start.replace(year=start.year + (start.month - 1 + k) // 12, month=(start.month - 1 + k) % 12 + 1)
                       for k in range(1, 13)]
        else:
            aligned = []
        end = rng.random()
        count = None
        if end < 0.4:
            count = rng.randrange(10, 60)
            rule += f";COUNT={count}"
        elif end < 0.75:
            until = start + dt.timedelta(days=rng.randrange(90, 700))
            rule += f";UNTIL={until:%Y%m%d}T235959Z"
        # Only dates the series reaches (before UNTIL, within COUNT) are excluded or moved.
        if count is not None:
            per_week = len(byday) if weekly else 1
            aligned = aligned[: max(0, count // per_week - 1)]
        elif end < 0.75:
            aligned = [a for a in aligned if a.date() <= until.date() - dt.timedelta(days=1)]
        body = [when("DTSTART", start, zone), when("DTEND", start + length, zone), f"RRULE:{rule}"]
        picks = rng.sample(aligned, min(len(aligned), rng.randrange(0, 6)))
        for ex in picks[:3]:
            body.append(when("EXDATE", ex, zone))
        for rid in picks[3:]:
            moved = rid + dt.timedelta(hours=rng.choice([1, 2, -1]))
            comps.append(["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{now}", when("RECURRENCE-ID", rid, zone),
                          when("DTSTART", moved, zone), when("DTEND", moved + length, zone),
                          f"SUMMARY:{rng.choice(SUBJECTS)} #{i} (moved)", "SEQUENCE:1", "END:VEVENT"])
    else:
        birth = dt.date(rng.randrange(1950, 2000), rng.randrange(1, 13), rng.randrange(1, 29))
        body = [f"DTSTART;VALUE=DATE:{birth:%Y%m%d}", f"DTEND;VALUE=DATE:{birth + dt.timedelta(days=1):%Y%m%d}",
                "RRULE:FREQ=YEARLY", "TRANSP:TRANSPARENT"]
    master = head + body + ["STATUS:CONFIRMED", "END:VEVENT"]
    return [master] + comps


def calendar(n):
    rng = random.Random(n)
    now = "20260101T000000Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Adjutant//ICS benchmark//EN", "CALSCALE:GREGORIAN",
             "X-WR-CALNAME:Benchmark"]
    for z in ZONES:
        lines += vtimezone(z)
    for i in range(n):
        for comp in event(rng, i, now):
            lines += comp
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(l) for l in lines) + "\r\n"


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for n in map(int, sys.argv[2:]):
        path = os.path.join(out, f"cal-{n}.ics")
        with open(path, "w", newline="") as f:
            f.write(calendar(n))
        print(path)


if __name__ == "__main__":
    main()
