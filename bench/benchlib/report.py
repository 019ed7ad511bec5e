"""Turns the trials into latest.json and latest.md."""

from __future__ import annotations

import json
from typing import Any, Optional

from benchlib.rows import ROWS, Row, met
from benchlib.stats import summary

# Why a row misses its target, as measured by profiling (bench/FINDINGS.md has the details and
# the fix). Printed only for rows that miss in this run.
from benchlib.explanations import EXPLANATIONS


def summarize(trials: list[dict[str, Any]], metric: str) -> Optional[dict[str, float | int]]:
    """Latencies pool every call of every trial; other metrics take one value per trial."""
    if not trials:
        return None
    if metric == "latency":
        values = [s for t in trials for s in t["samples"]]
    else:
        values = [float(t[metric]) for t in trials if metric in t]
    return summary(values) if values else None


def _fmt(value: Optional[float], unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "ms":
        v = value * 1000
        return f"{v:.2f} ms" if v < 10 else f"{v:.1f} ms" if v < 100 else f"{v:.0f} ms"
    if unit == "MiB":
        return f"{value / (1 << 20):.1f} MiB"
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if unit == "MB/s":
        return f"{value:.1f} MB/s"
    return f"{value:.3g} {unit}"


def _cell(s: Optional[dict[str, float | int]], unit: str) -> str:
    if s is None:
        return "not run"
    return f"{_fmt(s['median'], unit)} (p95 {_fmt(s['p95'], unit)})"


def build_rows(measurements: dict[str, list[dict[str, Any]]],
               errors: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for row in ROWS:
        ours = summarize(measurements.get(row.ours, []), row.metric)
        ref = summarize(measurements.get(row.ref, []), row.metric) if row.ref else None
        ratio: Optional[float] = None
        if ours is not None:
            if row.ref is None and row.divisor:
                ratio = float(ours["median"]) / row.divisor
            elif ref is not None and ref["median"]:
                ratio = float(ours["median"]) / float(ref["median"])
        ok = met(row, ratio, float(ours["median"]) if ours else None)
        failed = [k for k in (row.ours, row.ref) if k and k in errors]
        control = None
        idle_key = {"eventloop_node": "idle_max_delay_s", "max_late_s": "idle_max_late_s"}.get(
            row.id if row.id == "eventloop_node" else row.metric)
        if idle_key:
            # The timer's lateness with nothing running: the machine's scheduling noise floor.
            trials = measurements.get(row.ours, []) + measurements.get(row.ref or "", [])
            control = summarize([t for t in trials if idle_key in t], idle_key)
        lost = {k: sum(int(t.get("lost_output", 0)) for t in measurements.get(k, []))
                for k in (row.ours, row.ref) if k}
        out.append({
            "lost_output": {k: n for k, n in lost.items() if n},
            "id": row.id, "label": row.label, "unit": row.unit, "metric": row.metric,
            "ours_key": row.ours, "ref_key": row.ref, "ours": ours, "reference": ref,
            "ratio": ratio, "target": row.target_text, "met": ok,
            "errors": {k: errors[k] for k in failed},
            "reason": EXPLANATIONS.get(row.id) if ok is False else None,
            "control": control,
        })
    return out


def _mark(ok: Optional[bool]) -> str:
    return "—" if ok is None else ("✅ met" if ok else "❌ missed")


def _ratio_text(row: dict[str, Any]) -> str:
    r = row["ratio"]
    if r is None:
        return "n/a"
    if row["metric"] == "latency" and r < 1:
        return f"{r:.3f}× (1/{1 / r:.0f})" if r > 0 else "0"
    return f"{r:.2f}×"


def _quiet_line(m: dict[str, Any]) -> str:
    if "busy" not in m:
        return "Machine load: not checked (a run from before the quiet-machine wait)."
    waited = f" after waiting {m['quiet_wait_s']:g} s" if m["quiet_wait_s"] else ""
    if m["busy"]:
        return (f"**Taken on a busy machine**: the 1-minute load average was still "
                f"{m['loadavg_at_start'][0]}{waited}, above the quiet threshold of "
                f"{m['busy_threshold']:g} (half the cores); other processes competed for the "
                f"cores, so absolute times are low and ratios noisier.")
    return (f"Quiet machine: 1-minute load average {m['loadavg_at_start'][0]} at the start of "
            f"the measurements{waited} (threshold {m['busy_threshold']:g}, half the cores).")


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    m = meta["machine"]
    lines = [
        "| Workload | Ours: median (p95) | Reference: median (p95) | Ratio | Target | Result |",
        "|---|---|---|---|---|---|",
    ]
    notes = []
    notes_lost: list[str] = []
    for row in rows:
        ref_cell = (_cell(row["reference"], row["unit"]) if row["ref_key"]
                    else "file size 32.0 MiB")
        if row["errors"]:
            notes.append(f"- **{row['label']}**: a worker failed: "
                         + "; ".join(f"`{k}`: {v}" for k, v in row["errors"].items()))
        for key, n in row.get("lost_output", {}).items():
            notes_lost.append(f"- `{key}` returned exit 0 with an empty stdout in {n} call(s): "
                              f"the official `exec_sync` keeps only its last poll's output "
                              f"(docs/protocol-notes.md row 15).")
        result = _mark(row["met"])
        if row["met"] is False and row["reason"]:
            notes.append(f"- **{row['label']}** missed: {row['reason']}")
            result += " ¹"
        lines.append(f"| {row['label']} | {_cell(row['ours'], row['unit'])} | {ref_cell} | "
                     f"{_ratio_text(row)} | {row['target']} | {result} |")
    head = [
        f"Measured {meta['finished_at']} on {m['cpu']}, {m['nproc']} cores, "
        f"{m['mem_total_mib']} MiB RAM, {m['os']} (kernel {m['kernel']}); load average at start "
        f"{' '.join(m['loadavg_at_start'])}. Every ratio compares medians measured in the same "
        f"run against the same `sockt serve --rate-limit 0`; absolute times depend on the machine "
        f"and are reported, never asserted. Each trial is a fresh process; latencies pool every "
        f"call of every trial. Memory is the peak RSS above the process's idle RSS just before "
        f"the workload.",
        "",
        _quiet_line(m),
        "",
    ]
    for row in rows:
        if row.get("control"):
            c = row["control"]
            timer = "1 ms timer" if row["id"] == "eventloop_node" else "5 ms timer"
            lines += ["", f"Event-loop control ({row['label']}): the same {timer} with nothing "
                      f"running was late by at most {_fmt(c['median'], 'ms')} (median of trials; "
                      f"p95 {_fmt(c['p95'], 'ms')}) — the machine's own scheduling noise."]
    versions = ["", "Versions: " + "; ".join(f"{k} {v}" for k, v in meta["versions"].items()) + "."]
    tail = ["", "¹ Measured reason for the miss:", *notes] if notes else []
    if notes_lost:
        tail += ["", "Output lost by a reference (its latency still counts):",
                 *dict.fromkeys(notes_lost)]
    return "\n".join(head + lines + versions + tail) + "\n"


def write(path_json: str, path_md: str, rows: list[dict[str, Any]], meta: dict[str, Any],
          measurements: dict[str, list[dict[str, Any]]]) -> None:
    with open(path_json, "w", encoding="utf-8") as f:
        json.dump({**meta, "rows": rows, "trials": measurements}, f, indent=2)
        f.write("\n")
    with open(path_md, "w", encoding="utf-8") as f:
        f.write("# sockt benchmarks (latest run)\n\n" + markdown(rows, meta))
