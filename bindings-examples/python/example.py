#!/usr/bin/env python3
"""The leanix Python binding in one page.

    python3 example.py --sandbox     # starts lx-sandbox (the LeanIX emulator) and runs against it
    LEANIX_HOST=acme.leanix.net LEANIX_API_TOKEN=... python3 example.py   # a real workspace

Shows: the token exchange, the token's claims (workspace, role, expiry), a REST GET, a GraphQL
query with cursor paging, how errors come out (a failed write's message and body, a GraphQL
error's errorType), and the asyncio client.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional, Tuple

try:
    import leanix
except ImportError:  # not installed: use the source tree next to this file
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    import leanix


def start_sandbox() -> Tuple[subprocess.Popen, str, str]:
    """Starts lx-sandbox ($LX_SANDBOX_BIN or the repository's target/) on a free port."""
    exe = os.environ.get("LX_SANDBOX_BIN") or os.environ.get("LX_SANDBOX")
    if not exe:
        for parent in Path(__file__).resolve().parents:
            for profile in ("release", "debug"):
                candidate = parent / "target" / profile / "lx-sandbox"
                if candidate.is_file():
                    exe = str(candidate)
                    break
            if exe:
                break
    if not exe:
        sys.exit("lx-sandbox not found: `cargo build -p leanix-sandbox` or set LX_SANDBOX_BIN")
    # stdin=PIPE: the sandbox exits when we close it (or die).
    proc = subprocess.Popen([exe, "--port", "0"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    admin_token = proc.stdout.readline().strip()
    proc.stdout.readline()  # the viewer token
    return proc, url, admin_token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox", action="store_true", help="start lx-sandbox and use it")
    args = parser.parse_args()

    sandbox: Optional[subprocess.Popen] = None
    if args.sandbox:
        sandbox, host, token = start_sandbox()
        options = {"insecure_loopback": True}  # the sandbox speaks http:// on 127.0.0.1
        print(f"sandbox at {host}")
    else:
        host, token = os.environ.get("LEANIX_HOST", ""), os.environ.get("LEANIX_API_TOKEN", "")
        if not host or not token:
            parser.error("set LEANIX_HOST and LEANIX_API_TOKEN, or pass --sandbox")
        options = {}

    print(f"libleanix {leanix.version()} from {leanix.library_path()}")
    try:
        with leanix.Client(host, token, request_timeout=30,
                           on_event=lambda kind, details: print(f"  [event] {kind} {details}"),
                           **options) as client:
            print(client)  # never shows the token

            # 1. The exchange happens on first use; claims are decoded from the access token.
            claims = client.claims
            if claims is None:
                print("the access token is opaque (no claims)")
            else:
                expires = claims.expires_at
                print(f"workspace {claims.workspace_name} ({claims.workspace_id}), "
                      f"user {claims.username}, role {claims.role}, token expires "
                      f"{expires.strftime('%Y-%m-%d %H:%M:%S %Z') if expires else 'never?'}")

            # 2. A REST GET: a non-2xx answer would raise.
            page = client.get("/services/pathfinder/v1/factSheets",
                              params={"pageSize": 3}).json()
            print(f"{page['total']} fact sheets; the first {len(page['data'])}:")
            for fs in page["data"]:
                print(f"  {fs['type']:<20} {fs['name']}")

            # 3. GraphQL, one query, then every cursor page of a paged one.
            data = client.graphql("{ allFactSheets(first: 1) { totalCount } }")
            print(f"GraphQL totalCount: {data['allFactSheets']['totalCount']}")
            query = """query($after: String) {
                allFactSheets(first: 500, after: $after) {
                    pageInfo { hasNextPage endCursor }
                    edges { node { id type } }
                } }"""
            by_type: dict = {}
            pages = 0
            for pages, page_data in enumerate(client.graphql_pages(query), 1):
                for edge in page_data["allFactSheets"]["edges"]:
                    t = edge["node"]["type"]
                    by_type[t] = by_type.get(t, 0) + 1
                if pages == 4:
                    break  # enough for a demo
            print(f"{pages} GraphQL pages: {dict(sorted(by_type.items()))}")

            # 4. Errors are exceptions, one class per kind, all LeanixError; a failed call
            #    keeps the server's answer.
            try:
                client.get("/services/pathfinder/v1/factSheets/does-not-exist")
            except leanix.NotFoundError as e:  # an HTTPError
                print(f"expected NotFoundError: HTTP {e.status}: {e}")
            try:
                client.post("/services/pathfinder/v1/factSheets", json={"name": "no type"})
            except leanix.HTTPError as e:
                print(f"expected HTTPError: HTTP {e.status}: {e}")
                print(f"  the body: {e.response.json()['errors']}")
            fs = page["data"][0]
            try:
                client.graphql("""mutation($id: ID!) { updateFactSheet(id: $id, rev: 0,
                                  patches: [{op: replace, path: "/description", value: "x"}])
                                  { factSheet { rev } } }""", {"id": fs["id"]})
            except leanix.GraphQLError as e:
                print(f"expected GraphQLError {e.error_types}: {e.errors[0]['message']}")
            try:
                client.graphql("{ allFactSheets { noSuchField } }")
            except leanix.GraphQLError as e:
                print(f"expected GraphQLError: {e}")
        try:
            client.get("/services/pathfinder/v1/factSheets")
        except leanix.ClosedError as e:
            print(f"expected ClosedError after the with block: {e}")

        # 5. asyncio: many calls in flight on the library's threads, one token exchange.
        async def concurrently() -> None:
            async with leanix.AsyncClient(host, token, **options) as aclient:
                pages = await asyncio.gather(*[
                    aclient.get("/services/pathfinder/v1/factSheets",
                                params={"pageSize": 1, "type": t})
                    for t in ("Application", "ITComponent", "Interface")])
                print("async: " + ", ".join(f"{p.json()['data'][0]['type']} "
                                            f"{p.json()['total']}" for p in pages))

        asyncio.run(concurrently())
    except leanix.RateLimitedError as e:
        print(f"rate limited; retry after {e.retry_after} s", file=sys.stderr)
        return 1
    except leanix.InvalidCredentialsError as e:
        print(f"the API token was rejected: {e}", file=sys.stderr)
        return 1
    except leanix.LeanixError as e:
        print(f"{type(e).__name__} ({e.status_name}): {e}", file=sys.stderr)
        return 1
    finally:
        if sandbox is not None and sandbox.stdin is not None:
            sandbox.stdin.close()
            sandbox.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
