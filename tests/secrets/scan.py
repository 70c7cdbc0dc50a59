"""Searches everything the probes printed, logged, raised or returned for credentials.

Secrets: every API token in play (admin, viewer, revoked, the invalid and malformed ones the
probes pass on purpose), each as is, lower-cased, any 16-character window of it, and as the Basic
value base64("apitoken:" + token) with and without padding; every access token the sandbox
issued (GET /_sandbox/tokens), whole, its signature, and three 32-character windows of the
signature. The file of intentional outputs (lx_access_token and friends) is excluded from the
search but serves as a positive control: it must contain issued tokens, which proves the list
of access tokens is the one the clients really received. A canary line proves the search finds
what it looks for.

Usage: scan.py TOKENS_JSON INTENTIONAL LOG... (API tokens in LX_SCAN_API_TOKENS, comma-separated)
Prints one line per check and "N passed, N failed"; exits 1 on any failure."""

import base64
import json
import os
import sys

tokens_json, intentional_path, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
api_tokens = [t for t in os.environ["LX_SCAN_API_TOKENS"].split(",") if t]
access_tokens = json.load(open(tokens_json))["access_tokens"]

patterns = {}
for t in api_tokens:
    clean = t.strip()
    patterns[clean] = "API token"
    patterns[clean.lower()] = "API token (lower-cased)"
    for i in range(0, max(1, len(clean) - 15)):
        patterns[clean[i : i + 16]] = "16 characters of an API token"
    basic = base64.b64encode(("apitoken:" + t).encode()).decode()
    patterns[basic] = "Basic value"
    patterns[basic.rstrip("=")] = "Basic value"
for t in access_tokens:
    patterns[t] = "access token"
    sig = t.rsplit(".", 1)[-1]
    patterns[sig] = "access token signature"
    for start in (0, len(sig) // 2 - 16, len(sig) - 32):
        patterns[sig[max(0, start) : max(0, start) + 32]] = "32 characters of an access-token signature"
patterns = {p: k for p, k in patterns.items() if len(p) >= 16}

passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    if ok:
        passed += 1
    else:
        failed += 1


def find(text):
    return sorted({(kind, p[:12] + "...") for p, kind in patterns.items() if p in text})


check(len(access_tokens) >= 10, f"the sandbox issued {len(access_tokens)} access tokens during the run")
intentional = open(intentional_path, encoding="utf-8", errors="replace").read()
given = [t for t in access_tokens if t in intentional]
check(len(given) >= 2, f"positive control: {len(given)} of them were handed out on purpose (lx_access_token, lx token)")
check(bool(find("canary " + api_tokens[0] + " " + access_tokens[-1])), "canary: the search finds a planted API token and access token")

total = 0
for log in logs:
    text = open(log, encoding="utf-8", errors="replace").read()
    total += len(text)
    hits = find(text)
    name = os.path.basename(log)
    check(not hits, f"{name}: {len(text)} bytes, {text.count(chr(10))} lines, no credential" + (f" -- FOUND {hits}" if hits else ""))
print(f"searched {total} bytes in {len(logs)} outputs for {len(patterns)} patterns "
      f"({len(api_tokens)} API tokens, {len(access_tokens)} access tokens)")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
