"""Walks an OParl 1.1 API from its System URL and validates every object (embedded
ones too) and every list page against the OParl JSON schemas with PyPI's jsonschema:
an independent client for the test `pypi_jsonschema_validates_the_whole_api_too`.

usage: oparl_walk.py <system url> <schema dir>; exit 1 on any failure.
"""

import json
import os
import sys
import urllib.request
from collections import deque

import jsonschema

PREFIX = "https://schema.oparl.org/1.1/"


def load(schema_dir):
    out = {}
    for name in os.listdir(schema_dir):
        if name.endswith(".json"):
            with open(os.path.join(schema_dir, name), encoding="utf-8") as f:
                schema = json.load(f)
            cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
            out[name[:-5]] = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return out


def main():
    system, schema_dir = sys.argv[1], sys.argv[2]
    api = system.rsplit("/", 1)[0] + "/"
    validators = load(schema_dir)
    # The validators can fail: a Body without its lists is refused.
    broken = {"id": "http://x/b", "type": PREFIX + "Body", "name": "B"}
    if validators["Body"].is_valid(broken):
        print("a Body without its lists passes the schema")
        sys.exit(1)
    failures, counts, seen = [], {}, set()
    queue = deque([system])

    def check(value, at):
        if isinstance(value, dict):
            kind = value.get("type", "")
            if isinstance(kind, str) and kind.startswith(PREFIX):
                name = kind[len(PREFIX):]
                v = validators.get(name)
                if v is None:
                    failures.append(f"{at}: no schema for {name}")
                else:
                    for e in v.iter_errors(value):
                        failures.append(f"{at}: {name}: {e.message} at {list(e.path)}")
                    counts[name] = counts.get(name, 0) + 1
            for k, child in value.items():
                if k != "type":
                    check(child, at)
        elif isinstance(value, list):
            for item in value:
                check(item, at)

    def urls(value, out):
        if isinstance(value, str) and value.startswith(api):
            out.append(value)
        elif isinstance(value, list):
            for i in value:
                urls(i, out)
        elif isinstance(value, dict):
            for i in value.values():
                urls(i, out)

    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        with urllib.request.urlopen(url) as resp:
            body = resp.read().decode("utf-8")
            ctype = resp.headers.get("content-type", "")
        if url.endswith("/content"):
            if not ctype.startswith("text/markdown"):
                failures.append(f"{url}: content type {ctype}")
            continue
        value = json.loads(body)
        found = []
        if isinstance(value, dict) and "data" in value and "links" in value:
            for item in value["data"]:
                check(item, url)
                urls(item, found)
            if value["links"].get("next"):
                found.append(value["links"]["next"])
        else:
            check(value, url)
            if value.get("id") != url:
                failures.append(f"{url}: id is {value.get('id')}")
            urls(value, found)
        for f in found:
            if f not in seen:
                queue.append(f)

    if failures:
        print("\n".join(failures[:200]))
        print(f"{len(failures)} failures")
        sys.exit(1)
    for kind in ("System", "Body", "Organization", "Person", "Membership", "Meeting",
                 "AgendaItem", "Paper", "Consultation", "File", "Location"):
        if not counts.get(kind):
            print(f"no {kind} validated: {counts}")
            sys.exit(1)
    print(f"validated {sum(counts.values())} objects in {len(seen)} requests: {counts}")


if __name__ == "__main__":
    main()
