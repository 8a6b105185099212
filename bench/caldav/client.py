#!/usr/bin/env python3
"""The client side of the CalDAV comparison (standard library only).

Generates the same realistic events for both servers (single meetings in
several zones with outside attendees, all-day events, weekly and monthly
series with COUNT or UNTIL and EXDATEs, private and free ones), stores them,
then times a one-month range query. Every request goes over one persistent
`http.client` connection per client, so the client costs the same on both
sides; request bodies are made before the clock starts.

  client.py adjutant PORT TOKEN [TOKEN2]   POST /api/v1/events, GET /api/v1/agenda
  client.py radicale PORT                   PUT *.ics, REPORT calendar-query

With a second token (or, for Radicale, always) a second batch of the same
size is stored by CONCURRENCY clients at once, into another calendar, so the
month query always runs over exactly N events. Prints one JSON line.
"""

import base64
import datetime as dt
import http.client
import json
import math
import random
import statistics
import sys
import threading
import time
import xml.etree.ElementTree as ET

N = 1000
CONCURRENCY = 4
QUERY_RUNS = 20
QUERY_WARMUP = 2
MONTH = (dt.date(2027, 3, 1), dt.date(2027, 4, 1))
FIRST_DAY = dt.date(2027, 1, 4)
SPAN_DAYS = 180

ZONES = ["Europe/Amsterdam"] * 6 + ["America/New_York"] * 3 + ["UTC"]
SUBJECTS = ["Board meeting", "1:1 with Chen", "Budget review", "Vendor call", "Team stand-up",
            "Lunch with investor", "Interview: senior engineer", "Quarterly planning", "Focus time",
            "Dentist", "Offsite preparation", "Town hall", "Client visit", "Hiring sync"]
PLACES = ["Boardroom, Herengracht 12", "https://meet.example/abc-defg", "Room 3.14", "Café de Jaren",
          "", "", "Microsoft Teams Meeting"]
DAYS = ["MO", "TU", "WE", "TH", "FR"]
TEXT = ("Agenda: numbers for the quarter, hiring plan, open decisions. Please read the memo "
        "beforehand; the dial-in is in the invitation. ")

VTIMEZONES = {
    "Europe/Amsterdam": [
        "BEGIN:VTIMEZONE", "TZID:Europe/Amsterdam",
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
        "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
        "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
        "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
        "END:VTIMEZONE"],
    "America/New_York": [
        "BEGIN:VTIMEZONE", "TZID:America/New_York",
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "TZNAME:EDT",
        "DTSTART:19700308T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
        "BEGIN:STANDARD", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "TZNAME:EST",
        "DTSTART:19701101T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD",
        "END:VTIMEZONE"],
}


def esc(s):
    return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line):
    out, data, limit = [], line.encode(), 75
    while len(data) > limit:
        cut = limit
        while data[cut] & 0xC0 == 0x80:
            cut -= 1
        out.append(data[:cut].decode())
        data, limit = data[cut:], 74
    out.append(data.decode())
    return "\r\n ".join(out)


def ical_time(prop, t, zone):
    if zone == "UTC":
        return f"{prop}:{t:%Y%m%dT%H%M%S}Z"
    return f"{prop};TZID={zone}:{t:%Y%m%dT%H%M%S}"


def events(prefix, seed):
    """N events, each as (uid, API body, iCalendar text)."""
    rng = random.Random(seed)
    out = []
    for i in range(N):
        uid = f"{prefix}-{i}@bench.example"
        zone = rng.choice(ZONES)
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(SPAN_DAYS))
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        start = dt.datetime.combine(day, dt.time(rng.randrange(8, 18), rng.choice([0, 15, 30, 45])))
        minutes = rng.choice([15, 30, 30, 45, 60, 60, 90, 120])
        summary = f"{rng.choice(SUBJECTS)} #{i}"
        api = {"summary": summary}
        ics = [f"UID:{uid}", "DTSTAMP:20261201T000000Z", f"SUMMARY:{esc(summary)}"]
        place = rng.choice(PLACES)
        if place:
            api["location"] = place
            ics.append(f"LOCATION:{esc(place)}")
        if rng.random() < 0.3:
            api["description"] = TEXT * rng.randrange(1, 4)
            ics.append(f"DESCRIPTION:{esc(api['description'])}")
        guests = [(f"Guest {a}", f"guest{a}.{i}@partner.example") for a in range(rng.choice([0, 0, 1, 2, 3]))]
        if guests:
            api["attendees"] = [{"who": e, "name": n} for n, e in guests]
            ics.append("ORGANIZER;CN=Anna de Vries:mailto:anna@bench.example")
            ics += [f"ATTENDEE;CN={n};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{e}"
                    for n, e in guests]
        if rng.random() < 0.1:
            api["visibility"] = "private"
            ics.append("CLASS:PRIVATE")
        if rng.random() < 0.1:
            api["priority"] = 2
            ics.append("PRIORITY:3")
        kind = rng.random()
        if kind < 0.6:
            api.update(start=f"{start:%Y-%m-%dT%H:%M}", duration_minutes=minutes, time_zone=zone)
            ics += [ical_time("DTSTART", start, zone),
                    ical_time("DTEND", start + dt.timedelta(minutes=minutes), zone)]
        elif kind < 0.7:
            days = rng.randrange(1, 4)
            api.update(start=f"{day}", end=f"{day + dt.timedelta(days=days)}", transparency="free")
            ics += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                    f"DTEND;VALUE=DATE:{day + dt.timedelta(days=days):%Y%m%d}", "TRANSP:TRANSPARENT"]
        else:
            if kind < 0.95:
                byday = sorted({DAYS[start.weekday()], rng.choice(DAYS)}, key=DAYS.index) \
                    if rng.random() < 0.3 else [DAYS[start.weekday()]]
                interval = rng.choice([1, 1, 2])
                rule = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={','.join(byday)}"
                step = dt.timedelta(weeks=interval)
            else:
                rule, interval, step = "FREQ=MONTHLY;BYMONTHDAY=15", 1, None
                start = start.replace(day=15)
                while start.weekday() >= 5:
                    start += dt.timedelta(days=1)
                    rule = f"FREQ=MONTHLY;BYMONTHDAY={start.day}"
            count = rng.randrange(8, 40)
            if rng.random() < 0.5:
                rule += f";COUNT={count}"
            else:
                until = start + (step or dt.timedelta(days=30)) * (count - 1)
                rule += f";UNTIL={until:%Y%m%d}T235959Z"
            api.update(start=f"{start:%Y-%m-%dT%H:%M}", duration_minutes=minutes, time_zone=zone, rrule=rule)
            ics += [ical_time("DTSTART", start, zone),
                    ical_time("DTEND", start + dt.timedelta(minutes=minutes), zone), f"RRULE:{rule}"]
            if step is not None:
                # Occurrences we can name: the start's weekday, k steps on.
                ex = sorted({start + step * k for k in rng.sample(range(1, count // len(byday)), min(2, count // len(byday) - 1))
                             if rng.random() < 0.5})
                if ex:
                    api["exdates"] = [f"{t:%Y-%m-%dT%H:%M}" for t in ex]
                    ics += [ical_time("EXDATE", t, zone) for t in ex]
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Adjutant//CalDAV benchmark//EN"]
        if zone in VTIMEZONES:
            lines += VTIMEZONES[zone]
        lines += ["BEGIN:VEVENT"] + ics + ["END:VEVENT", "END:VCALENDAR"]
        text = "\r\n".join(fold(l) for l in lines) + "\r\n"
        out.append((uid, api, text))
    return out


class Client:
    def __init__(self, port, headers):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = headers

    def request(self, method, path, body=None, headers=None, expect=(200,)):
        h = dict(self.headers)
        h.update(headers or {})
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        if r.status not in expect:
            sys.exit(f"{method} {path}: {r.status} {r.reason}: {data[:500]!r}")
        return data

    def close(self):
        self.conn.close()


def store_all(make_client, send, items, clients, marks=None):
    """Sends every item, over `clients` persistent connections at once; returns seconds.
    With one client, `marks` (a list) receives the clock after each request."""
    shards = [items[k::clients] for k in range(clients)]
    conns = [make_client() for _ in range(clients)]
    errors = []

    def work(c, shard):
        try:
            for item in shard:
                send(c, item)
                if marks is not None:
                    marks.append(time.perf_counter())
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(c, s)) for c, s in zip(conns, shards)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    took = time.perf_counter() - t
    for c in conns:
        c.close()
    if errors:
        raise errors[0]
    return took


def sequential(make_client, send, items):
    """Stores items one request after another; the overall rate and those of the first and last 100."""
    marks = []
    t = time.perf_counter()
    took = store_all(make_client, send, items, 1, marks)
    marks.insert(0, t)
    return {"store_seconds": round(took, 3), "events_per_s": round(len(items) / took, 1),
            "first_100_events_per_s": round(100 / (marks[100] - marks[0]), 1),
            "last_100_events_per_s": round(100 / (marks[-1] - marks[-101]), 1)}


def time_query(run, count):
    """Times `run` (one request, the body read, nothing decoded); `count` tells how many items a body holds."""
    first = None
    for k in range(QUERY_WARMUP):
        t = time.perf_counter()
        run()
        if k == 0:
            first = time.perf_counter() - t
    samples = []
    for _ in range(QUERY_RUNS):
        t = time.perf_counter()
        body = run()
        samples.append(time.perf_counter() - t)
    samples.sort()
    return {"query_first_ms": round(first * 1e3, 2),
            "query_median_ms": round(statistics.median(samples) * 1e3, 2),
            "query_p95_ms": round(samples[math.ceil(len(samples) * 0.95) - 1] * 1e3, 2),
            "query_items": count(body), "query_bytes": len(body)}


def adjutant(port, token, token2=None):
    def make(tok):
        return lambda: Client(port, {"Authorization": f"Bearer {tok}", "Content-Type": "application/json"})

    def send(c, item):
        c.request("POST", "/api/v1/events", body=item[1], expect=(201,))

    seq = [(u, json.dumps(a).encode()) for u, a, _ in events("seq", 1)]
    result = {"impl": "adjutant", "events": N}
    result.update(sequential(make(token), send, seq))
    if token2:
        conc = [(u, json.dumps(a).encode()) for u, a, _ in events("conc", 2)]
        took = store_all(make(token2), send, conc, CONCURRENCY)
        result.update(concurrent_clients=CONCURRENCY, concurrent_events_per_s=round(N / took, 1))
    c = make(token)()
    path = f"/api/v1/agenda?from={MONTH[0]}&to={MONTH[1]}&tz=Europe/Amsterdam"
    result.update(time_query(lambda: c.request("GET", path), lambda b: len(json.loads(b))))
    result["query_events"] = len({item["event"] for item in json.loads(c.request("GET", path))})
    c.close()
    print(json.dumps(result), flush=True)


REPORT = """<?xml version="1.0" encoding="utf-8" ?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{start:%Y%m%d}T000000Z" end="{end:%Y%m%d}T000000Z"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
"""

MKCALENDAR = """<?xml version="1.0" encoding="utf-8" ?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop><D:displayname>{name}</D:displayname></D:prop></D:set>
</C:mkcalendar>
"""


def radicale(port):
    auth = base64.b64encode(b"bench:bench").decode()

    def make():
        return Client(port, {"Authorization": f"Basic {auth}"})

    c = make()
    for name in ("seq", "conc"):
        c.request("MKCALENDAR", f"/bench/{name}/", body=MKCALENDAR.format(name=name).encode(),
                  headers={"Content-Type": "application/xml; charset=utf-8"}, expect=(201,))
    c.close()

    def sender(collection):
        def send(c, item):
            c.request("PUT", f"/bench/{collection}/{item[0]}.ics", body=item[1],
                      headers={"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"},
                      expect=(201,))
        return send

    seq = [(u, t.encode()) for u, _, t in events("seq", 1)]
    conc = [(u, t.encode()) for u, _, t in events("conc", 2)]
    result = {"impl": "radicale", "events": N}
    result.update(sequential(make, sender("seq"), seq))
    took = store_all(make, sender("conc"), conc, CONCURRENCY)
    result.update(concurrent_clients=CONCURRENCY, concurrent_events_per_s=round(N / took, 1))
    body = REPORT.format(start=MONTH[0], end=MONTH[1]).encode()
    c = make()

    def query():
        return c.request("REPORT", "/bench/seq/", body=body, expect=(207,),
                         headers={"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})

    def count(data):
        return len(ET.fromstring(data).findall("{DAV:}response"))

    result.update(time_query(query, count))
    result["query_events"] = result["query_items"]
    c.close()
    print(json.dumps(result), flush=True)


def main():
    side, port = sys.argv[1], int(sys.argv[2])
    if side == "adjutant":
        adjutant(port, sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    elif side == "radicale":
        radicale(port)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
