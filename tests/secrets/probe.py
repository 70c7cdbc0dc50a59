"""The Python part of the secrets test (tests/secrets/run.sh): every path through the ctypes
binding with logging at DEBUG for every logger, the on_event callback, and every exception
printed as str, repr, traceback and attributes. Access tokens handed out on purpose
(``client.access_token``) go to the file in LX_INTENTIONAL.
Environment: LX_URL, LX_TOKEN, LX_VIEWER, LX_REVOKED, LX_INTENTIONAL, LEANIX_LIBRARY."""

import json
import logging
import os
import sys
import threading
import time
import traceback
import urllib.request

logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format="LOG %(levelname)s %(name)s %(message)s")
import leanix  # noqa: E402

URL, TOKEN = os.environ["LX_URL"], os.environ["LX_TOKEN"]
VIEWER, REVOKED = os.environ["LX_VIEWER"], os.environ["LX_REVOKED"]
FS = "/services/pathfinder/v1/factSheets?pageSize=2"
# Tokens passed on purpose; kept out of the lines a traceback quotes.
BAD_TOKEN = "not-a-valid-token-py-0123456789"
NEWLINE_TOKEN = "token-with-newline-py-0123456789\n"
intentional = open(os.environ["LX_INTENTIONAL"], "a")


def control(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(URL + path, data=data, method=method)
    with urllib.request.urlopen(req) as r:
        assert r.status == 200


def fault(**f):
    control("POST", "/_sandbox/faults", f)


def on_event(kind, details):
    print("EVENT", kind, details, flush=True)


def client(host=URL, token=TOKEN, **kw):
    return leanix.Client(host, token, allow_insecure_loopback=True, retry_base_delay=0.02, on_event=on_event, **kw)


def attempt(what, fn):
    try:
        value = fn()
        print(f"{what}: ok {value!r}")
    except leanix.LeanixError as e:
        print(f"{what}: {e}")
        print(f"{what}: {e!r}")
        print(f"{what}: attrs {vars(e)!r}")
        print(f"{what}: {traceback.format_exc()}")
    except Exception as e:  # noqa: BLE001
        print(f"{what}: other {e!r}\n{traceback.format_exc()}")


c = client()
print("client:", repr(c))
attempt("get", lambda: (c.get(FS).status_code, dict(c.get(FS).headers), c.get(FS).text[:200]))
attempt("graphql", lambda: c.graphql("{ allFactSheets(first: 2) { totalCount } }"))
attempt("claims", lambda: (repr(c.claims), c.claims.username, c.claims.workspace_id))
intentional.write(c.access_token + "\n")

fresh = client()
fault(endpoint="token", kind="status", status=503)
fault(endpoint="factSheets", kind="drop_connection")
fault(endpoint="factSheets", kind="status", status=503)
attempt("retries", lambda: fresh.get(FS).status_code)
fresh.close()

control("POST", "/_sandbox/revoke", {"access_tokens": True})
attempt("replay", lambda: c.get(FS).status_code)
fault(endpoint="factSheets", kind="status", status=401, times=2)
attempt("unauthorized", lambda: c.get(FS).status_code)
attempt("invalid credentials", lambda: client(token=BAD_TOKEN).get(FS))
attempt("revoked api token", lambda: client(token=REVOKED).get(FS))
attempt("forbidden", lambda: client(token=VIEWER).post("/services/pathfinder/v1/factSheets",
                                                        json={"name": "x", "type": "Application"}))
# A 429 with Retry-After: 3600 pauses its whole client for the hour: a client of its own.
limited = client()
fault(endpoint="factSheets", kind="status", status=429, retry_after="3600")
attempt("rate limited", lambda: limited.get(FS))
limited.close()
attempt("404", lambda: c.get("/services/pathfinder/v1/factSheets/nope"))
fault(endpoint="factSheets", kind="status", status=503, times=3)
attempt("503", lambda: c.get(FS))
impatient = client(request_timeout=0.3)
impatient.get(FS)
fault(endpoint="factSheets", kind="stall", ms=3000)
attempt("timeout", lambda: impatient.get(FS))
attempt("connect", lambda: client(host="http://127.0.0.1:1").get(FS))
cold = client()
fault(endpoint="token", kind="malformed_json")
attempt("invalid response", lambda: cold.get(FS))
fault(endpoint="token", kind="redirect_foreign")
attempt("token redirect", lambda: cold.get(FS))
attempt("graphql error", lambda: c.graphql("{ noSuchField }"))
fault(endpoint="factSheets", kind="redirect_foreign")
attempt("redirect", lambda: c.get(FS))
attempt("bad header", lambda: c.request("GET", FS, headers={"Authorization": "Bearer x"}))
attempt("config http", lambda: leanix.Client("http://acme.leanix.net", TOKEN))
attempt("config newline", lambda: leanix.Client("acme.leanix.net", NEWLINE_TOKEN))

fault(endpoint="factSheets", kind="stall", ms=2000)
t = threading.Thread(target=attempt, args=("cancelled", lambda: c.get(FS)))
t.start()
time.sleep(0.2)
c.close()
t.join()
attempt("after close", lambda: c.get(FS))

control("POST", "/_sandbox/config", {"token_lifetime_secs": 2})
r = client()
end = time.time() + 5
while time.time() < end:
    attempt("refresh", lambda: r.get(FS).status_code)
    time.sleep(0.05)
intentional.write(r.access_token + "\n")
r.close()
control("POST", "/_sandbox/config", {"token_lifetime_secs": 3599})
control("DELETE", "/_sandbox/faults")
intentional.close()
print("python probe done")
