"""RESULTS.md: the machine, the targets, and one table per measurement."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from .labels import label
from .phases.bindings import rows as binding_rows


def _n(x: Optional[float], digits: int = 0) -> str:
    if x is None:
        return "-"
    return f"{x:,.{digits}f}"


def _ms(us: Optional[float]) -> str:
    return "-" if us is None else f"{us / 1e3:.2f}"


def _table(head: List[str], rows: List[List[str]]) -> List[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def _status(r: Dict[str, Any]) -> str:
    return f"{r['status']}: {r.get('reason', '')}"


def _failed_row(first: List[str], r: Dict[str, Any], width: int) -> List[str]:
    """The row of a measurement that did not run: the ``first`` cells, its status, then blank
    cells up to ``width``."""
    return first + [_status(r)] + [""] * (width - len(first) - 1)


def _row(first: List[str], r: Dict[str, Any], width: int,
         figures: Callable[[Dict[str, Any]], List[str]]) -> List[str]:
    """A measurement's row: the ``first`` cells, then ``figures(r)`` if it ran, else its status
    (as ``_failed_row``)."""
    return first + figures(r) if r["status"] == "ok" else _failed_row(first, r, width)


def _section(title: str, intro: str, head: List[str], rows: List[List[str]]) -> List[str]:
    """A measurement's section: its heading, the paragraph saying how it was measured, its
    table."""
    return [f"## {title}", "", intro, ""] + _table(head, rows)


def machine(res: Dict[str, Any]) -> List[str]:
    m = res["machine"]
    rows = [["Date", m["date"]], ["Commit", m.get("commit", "-")], ["CPUs (nproc)", str(m["nproc"])], ["CPU", m["cpu"]],
            ["Memory", f"{m['memory_gib']} GiB"], ["Kernel", m["kernel"]], ["OS", m["os"]],
            ["rustc", str(m["rustc"])], ["C compiler", str(m["cc"])], ["Python", m["python"]],
            ["wrk", str(m["wrk"]).split(" Copyright")[0]], ["curl", " ".join(str(m["curl"]).split()[:4])],
            ["Load average (1/5/15 min) before / after", f"{m['load_before']} / {m.get('load_after', '-')}"],
            ["Mode", f"{res['mode']} (`bench/run.sh{' --quick' if res['mode'] == 'quick' else ''}`), "
                     f"{res.get('wall_s', '-')} s"]]
    return ["## Machine", ""] + _table(["", ""], rows)


def targets(res: Dict[str, Any]) -> List[str]:
    rows = [[t["name"], t["target"], t["measured"], f"**{t['verdict']}**" if t["verdict"] == "missed"
             else t["verdict"], "; ".join(x for x in (t.get("note", ""), "why: see Findings" if t["verdict"] == "missed"
                                                      and res.get("mode") == "full" else "") if x)]
            for t in res["targets"]]
    return _section("Targets", "Ratios are medians of per-round ratios (each pair measured back to back "
                    "in the same round).", ["Target", "Required", "Measured", "Verdict", "Note"], rows)


def _per_round_ratio(row: Dict[str, Any], base: Dict[str, Any]) -> float:
    """Median over rounds of row's req/s over base's req/s in the same round."""
    pairs = [a / b for a, b in zip(row.get("rps_rounds", []), base.get("rps_rounds", [])) if b]
    pairs.sort()
    n = len(pairs)
    if n == 0:
        return 0.0
    return pairs[n // 2] if n % 2 else (pairs[n // 2 - 1] + pairs[n // 2]) / 2


def sequential(res: Dict[str, Any]) -> List[str]:
    s = res.get("sequential")
    if not s:
        return []
    raw_row = next((r for r in s["rows"] if r["subject"] == "raw-reqwest" and r["status"] == "ok"), None)
    raw = raw_row["rps"] if raw_row else None
    head = ["Client", "req/s", "p50 ms", "p99 ms", "max ms", "vs raw reqwest", "CPU µs/req", "ctx switches/req",
            "exchanges per run"]
    rows = []
    for r in s["rows"]:
        if r["status"] != "ok":
            rows.append(_failed_row([label(r["subject"])], r, len(head)))
            continue
        rel = f"{_per_round_ratio(r, raw_row):.2f}x" if raw_row else "-"
        ex = sorted(set(r["exchanges_rounds"]))
        rows.append([label(r["subject"]), _n(r["rps"]), _ms(r["p50_us"]), _ms(r["p99_us"]), _ms(r["max_us"]),
                     rel, _n(r.get("cpu_us_per_request"), 1), _n(r.get("switches_per_request"), 2),
                     "/".join(str(e) for e in ex)])
    for r in binding_rows(res, 1):
        if r["status"] != "ok":
            rows.append(_failed_row([label(r["subject"])], r, len(head)))
            continue
        rows.append([label(r["subject"]) + " ¹", _n(r["rps"]), "-", "-", "-",
                     f"{r['rps'] / raw:.2f}x" if raw and r["rps"] else "-", "-", "-", "-"])
    return (_section("Sequential GET, one request at a time",
                     f"`{s['endpoint']}` on one lx-sandbox. {s['rounds']} interleaved round(s) of "
                     f"{s['warmup_s']:g} s warm-up + {s['seconds']:g} s measured (process-per-request clients: "
                     f"{s['process_seconds']:g} s per round); req/s and percentiles are medians over rounds, max "
                     "is the largest seen, \"vs raw reqwest\" is the median of per-round ratios (bindings: ratio "
                     "of their figure to this run's median). CPU µs and context switches per request: getrusage of "
                     "the client process over the measured window (wrk, curl, lx: of the child processes), steadier "
                     "than req/s on a shared machine. Exchanges per run: the sandbox's counter, reset before each "
                     "run (curl and lx: one per request).", head, rows)
            + ["¹ From the binding's own bench (bench/python, bench/java): same release build, its own "
               "lx-sandbox, same run of this script; see their sections below.", ""])


def concurrency(res: Dict[str, Any]) -> List[str]:
    c = res.get("concurrency")
    if not c:
        return []
    subjects: List[str] = []
    cells: Dict[str, Dict[int, str]] = {}
    exch: Dict[str, set] = {}
    for r in c["rows"]:
        s = r["subject"]
        if s not in cells:
            subjects.append(s)
            cells[s], exch[s] = {}, set()
        if r["status"] != "ok":
            cells[s][r["threads"]] = r["status"]
            continue
        cells[s][r["threads"]] = f"{_n(r['rps'])} · p99 {_ms(r['p99_us'])} ms"
        exch[s].update(r["exchanges_rounds"])
    head = ["Client"] + [f"{n} threads" for n in c["threads"]] + ["exchanges per run"]
    rows = [[label(s)] + [cells[s].get(n, "-") for n in c["threads"]]
            + ["/".join(str(e) for e in sorted(exch[s])) or "-"] for s in subjects]
    out = ["## Concurrency: N workers sharing one client", "",
           f"Closed loop, each worker one request after the other (threads for blocking and C, tokio tasks "
           f"for async and raw reqwest, connections for wrk). {c['rounds']} interleaved round(s) of "
           f"{c['seconds']:g} s per thread count; req/s (median) · p99 latency. Every client starts cold, so "
           "its N workers race for the first token: one exchange per run means single flight works.", ""]
    out += _table(head, rows)
    ratio_rows = [[str(n)] + [_n(v, 2) + "x" if v else "-" for v in c["ratios"][str(n)].values()]
                  for n in c["threads"]]
    if c["threads"]:
        keys = list(c["ratios"][str(c["threads"][0])].keys())
        out += _table(["threads"] + [k.replace("_", " ") for k in keys], ratio_rows)
    more = [r for r in binding_rows(res, None) if r["status"] == "ok" and r["threads"] != 1]
    if more:
        out += ["Bindings with several threads (their own benches):", ""]
        out += _table(["Client", "threads", "req/s"], [[label(r["subject"]), str(r["threads"]), _n(r["rps"])]
                                                       for r in more])
    return out


def _pmx(x: Dict[str, Any]) -> str:
    """"p50 / p99 / max" in ms."""
    if not x or not x.get("count"):
        return "-"
    return f"{_ms(x['p50_us'])} / {_ms(x['p99_us'])} / {_ms(x['max_us'])}"


def _refresh_row(r: Dict[str, Any], closed: bool) -> List[str]:
    first = [r.get("mode", "?")] + ([str(r.get("threads"))] if closed else [f"+{r.get('token_delay_ms', 0)} ms"])
    if r.get("status") != "ok":
        return first + [_status(r)] + [""] * 8
    c = r.get("control", {})
    iv = ", ".join(f"{x:.2f}" for x in r["intervals_s"])
    rate = _n(r["requests"] / r["seconds"]) if closed else _n(r["requests"])
    return first + [rate, _pmx(r["overall"]), _pmx(r["around_refresh"]), _ms(c.get("max_us")),
                    _ms(r["elsewhere"]["p99_us"]), f"{r['max_around_over_p99_elsewhere']:.2f}x",
                    f"{r.get('max_around_over_max_control', 0):.2f}x",
                    f"{r['client_exchanges']} / {r['sandbox_exchanges']}", iv]


def refresh(res: Dict[str, Any]) -> List[str]:
    f = res.get("refresh")
    if not f:
        return []
    tail = ["overall p50 / p99 / max ms", "around refresh p50 / p99 / max ms", "control max ms",
            "elsewhere p99 ms", "max around / p99 elsewhere", "max around / max control",
            "exchanges client / sandbox", "intervals between exchanges s"]
    out = ["## The refresh boundary", "",
           f"Token lifetime {f['lifetime_s']} s (set on the sandbox), {f['seconds']:g} s per run. The client refreshes "
           "ahead of expiry (default: past 75 % ± 5 % of the lifetime, in the background) or, for comparison, "
           "`refresh_on_expiry_only()` (requests wait for the exchange at the 10 % hard margin). \"Around\" = "
           "requests that started within ±0.5 s of a completed exchange (the cold first one excluded); "
           "\"control\" = equally wide windows midway between exchanges, so that max around / max control compares "
           "the same statistic over about as many requests, with and without a refresh (a max against a p99, as "
           "the target is stated, also measures the machine's noise). "
           "Exchanges: the client's own events / the sandbox's counter (they must agree); intervals between "
           "consecutive exchanges show exactly one per refresh interval.", "",
           f"On loopback an exchange takes about a millisecond, inside this machine's noise; against LeanIX it "
           f"is a WAN round trip. So the paced pair also runs with the sandbox's token endpoint delayed by "
           f"{f.get('exchange_delay_ms', 0)} ms (API calls undelayed), and so do the runs under load.", "",
           f"Paced: {f['rate']:g} requests/s, open loop (each request its own task, async core):", ""]
    out += _table(["policy", "exchange delay", "requests"] + tail, [_refresh_row(r, False) for r in f["paced"]])
    slow = [r for r in f["paced"] if r.get("status") == "ok" and r.get("slowest")]
    if slow:
        out += ["The five slowest requests of each paced run, as latency ms @ start relative to the nearest "
                "exchange (s): a refresh that made requests wait shows up as slow requests just before it.", ""]
        out += _table(["policy", "exchange delay", "slowest"],
                      [[r["mode"], f"+{r['token_delay_ms']} ms",
                        ", ".join(f"{x['latency_us'] / 1e3:.2f} @ {(x['start_minus_refresh_ms'] or 0) / 1e3:+.2f}"
                                  for x in r["slowest"])] for r in slow])
    if f.get("closed"):
        out += [f"Under load, exchange delayed {f.get('exchange_delay_ms', 0)} ms: N threads sharing one blocking "
                "client (what the C ABI wraps), closed loop:", ""]
        out += _table(["policy", "threads", "req/s"] + tail, [_refresh_row(r, True) for r in f["closed"]])
    return out


def coldstart(res: Dict[str, Any]) -> List[str]:
    c = res.get("coldstart")
    if not c:
        return []
    head = ["Client", "p50 ms", "p90 ms", "max ms", "exchanges per run"]
    rows = [_row([label(r["subject"])], r, len(head),
                 lambda r: [f"{r['p50_ms']:.2f}", f"{r['p90_ms']:.2f}", f"{r['max_ms']:.2f}",
                            "/".join(str(x) for x in sorted(set(r["exchanges"])))]) for r in c["rows"]]
    return _section("Cold start: process start to first authenticated response",
                    f"{c['runs']} runs each, interleaved; wall time from spawning the process(es) to exit, token "
                    "exchange included.", head, rows)


def cli(res: Dict[str, Any]) -> List[str]:
    c = res.get("cli")
    if not c:
        return []
    head = ["Client", "exchange delay", "p50 ms", "p99 ms", "first ms", "invocations", "exchanges per round"]
    rows = []
    for d in c["delays"]:
        for r in d["rows"]:
            if r["status"] != "ok":
                rows.append(_failed_row([label(r["subject"]), f"+{d['delay_ms']} ms"], r, len(head)))
                continue
            ex = "/".join(str(e) for e in sorted(set(r["exchanges_rounds"])))
            rows.append([label(r["subject"]), f"+{d['delay_ms']} ms", _ms(r["p50_us"]), _ms(r["p99_us"]),
                         _ms(r.get("first_us")), _n(r.get("invocations")), ex])
    return _section("The shell: one request per process, with and without the token cache",
                    f"`{c['endpoint']}`, one invocation after the other for {c['process_seconds']:g} s per client "
                    f"and round, {c['rounds']} interleaved round(s), with the sandbox's token exchange as it is and "
                    "delayed (its `latency` fault on the token endpoint). The cached clients start each round with "
                    "an empty token cache (a fresh `XDG_RUNTIME_DIR`): the first invocation exchanges, the others "
                    "take the stored token. p50/p99: medians over rounds of the per-invocation wall time; first: "
                    "the slowest first invocation of a round; exchanges: the sandbox's count per round.",
                    head, rows)


def memory(res: Dict[str, Any]) -> List[str]:
    m = res.get("memory")
    if not m:
        return []
    out = ["## Memory and size", ""]
    if m.get("status") == "ok":
        k = m["checkpoint"]
        out += [f"A C program doing {m['requests']:,} sequential `lx_get` calls on one client "
                f"({m['requests'] / m['seconds']:,.0f} req/s), VmRSS from /proc/self/status:", ""]
        out += _table(["", "KiB"], [["before the client", str(m["rss_start_kib"])],
                                    ["after the first request", str(m["rss_after_first_kib"])],
                                    [f"after {k:,} requests", str(m["rss_checkpoint_kib"])],
                                    [f"after {m['requests']:,} requests", str(m["rss_end_kib"])],
                                    [f"growth {k:,} → {m['requests']:,}", str(m["growth_kib"])],
                                    ["peak (VmHWM)", str(m["peak_rss_kib"])]])
    else:
        out += [f"RSS: {_status(m)}", ""]
    s = m.get("sizes", {})
    mib = lambda b: "-" if b is None else f"{b / 1048576:.2f} MiB"  # noqa: E731
    out += _table(["Artifact", "size"], [["libleanix.so as built (release)", mib(s.get("so_bytes"))],
                                         ["libleanix.so stripped (`strip --strip-all` of a copy)",
                                          mib(s.get("so_stripped_bytes"))],
                                         ["libleanix.a", mib(s.get("a_bytes"))]])
    return out


def server(res: Dict[str, Any]) -> List[str]:
    s = res.get("server")
    if not s:
        return []
    head = ["Server", "connections", "req/s", "p50 ms", "p99 ms"]
    rows = [_row([label(r["subject"]), str(r["connections"])], r, len(head),
                 lambda r: [_n(r["rps"]), _ms(r["p50_us"]), _ms(r["p99_us"])]) for r in s["rows"]]
    ratios = ", ".join(f"{k.replace('_', ' ')}: {v:.2f}x" for k, v in s["ratios"].items() if v)
    return _section("The server side: lx-sandbox vs a static responder",
                    f"wrk against the sandbox's fact-sheet endpoint and against a static responder serving the "
                    f"same {s['body_bytes']}-byte body (same hyper stack, no work). {ratios}. The sandbox answers "
                    "far more requests per second than any client above sends over one connection, so client "
                    "figures are not server-bound.", head, rows)


def bindings(res: Dict[str, Any]) -> List[str]:
    b = res.get("bindings")
    if not b:
        return []
    out = ["## The bindings' own benches", ""]
    for lang, script in (("python", "bench/python/bench_python.py"), ("java", "bench/java/run-bench.sh")):
        sec = b.get(lang, {})
        if sec.get("status") != "ok":
            out += [f"- {lang}: {_status(sec)}"]
            continue
        rep = sec["report"]
        ratios = ", ".join(f"{k}: {v}x" for k, v in rep.get("ratios", {}).items())
        out += [f"- {lang} (`{script}`, {sec['wall_s']} s): {rep.get('endpoint', '')}; "
                f"{len(rep.get('results', []))} runs; ratios {ratios}; exchanges seen by its sandbox: "
                f"{rep.get('token_exchanges')}."]
    bulk = b.get("bulk_write", {})
    if bulk.get("status") == "ok":
        out += ["", "Bulk write against a rate limit (`bench/python/bench_bulk_write.py`; 8 threads create fact "
                "sheets against the sandbox's per-second limit; \"sustained\" is the writes after the first "
                "second's burst divided by the time, as a fraction of the limit):", "",
                "| Client | Writes | Limit | Time | Sustained | 429s | Lost |", "|---|---|---|---|---|---|---|"]
        out += [f"| {r['client']} | {r['writes']} | {r['limit_per_second']}/s | {r['seconds']} s | "
                f"{r['sustained_fraction_of_limit']}x | {r['throttled_429']} | {r['lost_writes']} |"
                for r in bulk["report"]["bulk_write"]]
    elif bulk:
        out += [f"- bulk write: {_status(bulk)}"]
    return out + [""]


def checks(res: Dict[str, Any]) -> List[str]:
    c = res["checks"]
    bad = [x for x in c if not x["ok"]]
    out = ["## Checks", "", f"{len(c) - len(bad)} of {len(c)} checks passed (each measurement produced a "
           "number; token-exchange counts as expected). Timings are never asserted.", ""]
    out += [f"- FAILED {x['name']}: {x['detail']}" for x in bad]
    return out + ([""] if bad else [])


def write(res: Dict[str, Any], path: Path, chart_name: Optional[str], findings: Optional[Path]) -> None:
    lines = ["# leanix benchmark results", "",
             "Generated by `bench/run.sh`; every figure below comes from one run on one machine against "
             "loopback lx-sandbox processes from the same release build. Compare rows of the same run, not "
             "runs of different machines. What each row means: bench/README.md.", ""]
    if chart_name:
        lines += [f"![headline figures]({chart_name})", ""]
    lines += machine(res) + targets(res)
    if findings and findings.is_file():
        lines += findings.read_text().rstrip().splitlines() + [""]
    for part in (sequential, concurrency, refresh, coldstart, cli, memory, server, bindings, checks):
        lines += part(res)
    path.write_text("\n".join(lines).rstrip() + "\n")
