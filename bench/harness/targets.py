"""The issue's targets, evaluated on one run's results (ratios within the same run)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional


def _verdict(value: Optional[float], ok: Optional[bool]) -> str:
    if value is None or ok is None:
        return "n/a"
    return "met" if ok else "missed"


def _ratio_target(name: str, value: Optional[float], minimum: float, note: str = "") -> Dict[str, Any]:
    return {"name": name, "target": f">= {minimum:g}x", "value": value,
            "measured": "-" if value is None else f"{value:.2f}x",
            "verdict": _verdict(value, None if value is None else value >= minimum), "note": note}


def _fmt_ratio(what: str, v: Optional[float]) -> str:
    return f"{what}: {v:.2f}x" if v is not None else ""


def _binding_ratio(res: Dict[str, Any], lang: str, key: str) -> Optional[float]:
    sec = res.get("bindings", {}).get(lang, {})
    if sec.get("status") != "ok":
        return None
    return sec["report"].get("ratios", {}).get(key)


def _vt_ratio(res: Dict[str, Any], backend: str) -> Optional[float]:
    """The Java bench's virtual-thread ratio of a backend (`panama_vt300_vs_hand_vt300`)."""
    sec = res.get("bindings", {}).get("java", {})
    if sec.get("status") != "ok":
        return None
    for key, value in sec["report"].get("ratios", {}).items():
        if key.startswith(f"{backend}_vt") and "_vs_hand_vt" in key:
            return value
    return None


def _binding_note(res: Dict[str, Any], lang: str) -> str:
    sec = res.get("bindings", {}).get(lang, {})
    return "" if sec.get("status") == "ok" else f"{sec.get('status', 'skipped')}: {sec.get('reason', '')}"


#: The targets on the bindings' own benches: name, binding, the ratio in its report, the least
#: that ratio may be.
_BINDING_TARGETS = (
    ("Python leanix 1 thread vs requests.Session", "python", "leanix_1t_vs_requests_1t", 8.0),
    ("Python leanix 1 thread vs httpx.Client", "python", "leanix_1t_vs_httpx_1t", 5.0),
    ("Python AsyncClient (200 concurrent) vs httpx.AsyncClient", "python", "async_leanix_vs_httpx", 3.0),
    ("Python AsyncClient (200 concurrent) vs aiohttp", "python", "async_leanix_vs_aiohttp", 3.0),
    ("Java Panama 1 thread vs HttpClient", "java", "panama_1t_vs_hand_1t", 0.9),
    ("Java JNA 1 thread vs HttpClient", "java", "jna_1t_vs_hand_1t", 0.8),
)


def evaluate(res: Dict[str, Any]) -> List[Dict[str, Any]]:
    """One entry per target: name, target, measured, verdict (met / missed / n/a), note."""
    out = []
    seq = res.get("sequential", {}).get("ratios", {})
    out.append(_ratio_target("Core sequential vs raw reqwest (async)", seq.get("core_async_vs_raw"), 0.95,
                             _fmt_ratio("blocking core vs raw reqwest", seq.get("core_blocking_vs_raw"))))
    out.append(_ratio_target("C ABI sequential vs core async", seq.get("c_abi_vs_core_async"), 0.9,
                             _fmt_ratio("C ABI vs core blocking (what it wraps)", seq.get("c_abi_vs_core_blocking"))))
    for name, lang, key, minimum in _BINDING_TARGETS:
        out.append(_ratio_target(name, _binding_ratio(res, lang, key), minimum, _binding_note(res, lang)))
    for backend in ("panama", "jna"):
        out.append(_ratio_target(f"Java {'Panama' if backend == 'panama' else 'JNA'} on 300 virtual threads "
                                 "(50 ms latency) vs HttpClient on virtual threads",
                                 _vt_ratio(res, backend), 0.9, _binding_note(res, "java")))

    ref = res.get("refresh", {})
    for delay in sorted({r.get("token_delay_ms", 0) for r in ref.get("paced", [])}):
        pick = lambda mode: next((r for r in ref.get("paced", []) if r.get("mode") == mode  # noqa: E731
                                  and r.get("token_delay_ms", 0) == delay and r.get("status") == "ok"), None)
        paced, expiry = pick("refresh-ahead"), pick("expiry-only")
        if not paced:
            continue
        v = paced["max_around_over_p99_elsewhere"]
        where = "loopback exchange" if delay == 0 else f"exchange delayed {delay} ms"
        out.append({"name": f"Max latency around a refresh vs p99 elsewhere (paced, refresh ahead, {where})",
                    "target": "<= 2x", "value": v, "measured": f"{v:.2f}x "
                    f"({paced['around_refresh']['max_us'] / 1e3:.2f} ms vs {paced['elsewhere']['p99_us'] / 1e3:.2f} ms)",
                    "verdict": "met" if v <= 2 else "missed",
                    "note": f"same statistic without a refresh (max around / max in control windows): "
                            f"{paced.get('max_around_over_max_control', 0):.2f}x"
                            + ("" if not expiry else
                               f"; expiry-only: {expiry['max_around_over_p99_elsewhere']:.2f}x of p99, "
                               f"{expiry.get('max_around_over_max_control', 0):.2f}x of control max "
                               f"({expiry['around_refresh']['max_us'] / 1e3:.2f} ms)")})
    runs = [r for r in ref.get("paced", []) + ref.get("closed", []) if r.get("status") == "ok"]
    conc = [r for r in res.get("concurrency", {}).get("rows", [])
            if r.get("status") == "ok" and r["subject"] in ("core-async", "core-blocking", "c-abi")]
    if runs or conc:
        ok_ref = all(r["one_per_interval"] and r["sandbox_exchanges"] == r["client_exchanges"] for r in runs)
        ok_conc = all(all(e == 1 for e in r["exchanges_rounds"]) for r in conc)
        n_conc = sum(len(r["exchanges_rounds"]) for r in conc)
        counts = sorted({r["threads"] for r in runs})
        out.append({"name": "Exactly one exchange per refresh interval, every thread count",
                    "target": "1", "value": None,
                    "measured": f"{'yes' if ok_ref else 'NO'} in {len(runs)} refresh runs (threads {counts}); "
                                f"{'1' if ok_conc else 'NOT 1'} per cold client in {n_conc} concurrency runs "
                                f"(core async, core blocking, C ABI)",
                    "verdict": "met" if ok_ref and ok_conc else "missed", "note": ""})
    mem = res.get("memory", {})
    if mem.get("status") == "ok":
        g = mem["growth_kib"]
        out.append({"name": f"RSS growth {mem['checkpoint'] // 1000}k -> {mem['requests'] // 1000}k requests (C)",
                    "target": "<= 1 MiB", "value": g, "measured": f"{g} KiB",
                    "verdict": "met" if g <= 1024 else "missed", "note": ""})
    return out
