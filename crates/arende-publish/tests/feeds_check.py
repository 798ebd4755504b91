"""Reads arende's feeds with reference clients: iCalendar with PyPI's icalendar and
Atom with feedparser. Arguments are `ics:<file>` or `atom:<file>`; exit 1 on any
problem. Prints `atom entries N` (N = all Atom entries read) for the Rust test.
"""

import sys

import feedparser
import icalendar


def check_ics(path, problems):
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    if str(cal.get("METHOD")) != "PUBLISH":
        problems.append(f"{path}: METHOD is {cal.get('METHOD')}")
    if not str(cal.get("PRODID", "")).startswith("-//arende//"):
        problems.append(f"{path}: PRODID {cal.get('PRODID')}")
    uids = set()
    n = 0
    for comp in cal.walk():
        if comp.name not in ("VEVENT", "VTODO"):
            continue
        n += 1
        uid = str(comp.get("UID", ""))
        if not uid or uid in uids:
            problems.append(f"{path}: missing or repeated UID {uid!r}")
        uids.add(uid)
        for prop in ("DTSTAMP", "SEQUENCE", "SUMMARY"):
            if comp.get(prop) is None:
                problems.append(f"{path}: {uid} has no {prop}")
        if comp.name == "VEVENT":
            for prop in ("DTSTART", "DTEND", "ORGANIZER"):
                if comp.get(prop) is None:
                    problems.append(f"{path}: {uid} has no {prop}")
            organizer = comp.get("ORGANIZER")
            if organizer is not None and not organizer.params.get("CN"):
                problems.append(f"{path}: {uid} ORGANIZER without CN")
        else:
            if comp.get("DUE") is None:
                problems.append(f"{path}: {uid} has no DUE")
    return n


def check_atom(path, problems):
    with open(path, "rb") as f:
        feed = feedparser.parse(f.read())
    if feed.bozo:
        problems.append(f"{path}: not well-formed: {feed.bozo_exception}")
    if feed.version != "atom10":
        problems.append(f"{path}: version {feed.version}")
    for key in ("title", "id", "updated"):
        if not feed.feed.get(key):
            problems.append(f"{path}: feed has no {key}")
    for e in feed.entries:
        for key in ("id", "title", "updated"):
            if not e.get(key):
                problems.append(f"{path}: entry without {key}")
    return len(feed.entries)


def main():
    problems = []
    entries = 0
    components = 0
    for arg in sys.argv[1:]:
        kind, path = arg.split(":", 1)
        if kind == "ics":
            components += check_ics(path, problems)
        else:
            entries += check_atom(path, problems)
    if problems:
        print("\n".join(problems[:100]))
        sys.exit(1)
    print(f"calendar components {components}")
    print(f"atom entries {entries}")


if __name__ == "__main__":
    main()
