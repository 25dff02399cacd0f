"""Turn the JSON of a run into ``results/latest.md`` (standard library only)."""

from __future__ import annotations

from typing import Any

ENDPOINTS = ("list_json", "list_xml", "item", "create")
TITLES = {"list_json": "list of 25, JSON", "list_xml": "list of 25, XML", "item": "one item", "create": "create"}
NAMES = {
    "plain": "plain Django",
    "webapi_kit": "webapi_kit",
    "drf": "Django REST framework",
    "tastypie": "tastypie",
    "djblets": "djblets",
}
ENV_TITLES = {"dj52": "Django 5.2", "dj42": "Django 4.2 (with djblets)"}


def _versions(v: dict[str, str]) -> str:
    return ", ".join(f"{k} {val}" for k, val in v.items())


def _inprocess(data: dict[str, Any], extra: dict[str, Any] | None) -> list[str]:
    lines = [
        f"{data['rounds']} rounds × {data['n']} requests per framework and endpoint; "
        "cell = median µs per request, and (×) the median of the per-round ratios "
        "plain time / framework time (1.00 = as fast as the plain view).",
        "",
        "| framework | " + " | ".join(TITLES[e] for e in ENDPOINTS) + " |",
        "|---|" + "---:|" * len(ENDPOINTS),
    ]
    rows = [(fw, data) for fw in data["frameworks"]]
    if extra:
        rows.append(("webapi_kit, orjson hidden", {**extra, "key": "webapi_kit"}))
    for label, src in rows:
        fw = src.get("key", label)
        cells = [f"{src['median_us'][fw][e]:,.0f} µs (×{src['ratio'][fw][e]:.2f})" for e in ENDPOINTS]
        lines.append(f"| {NAMES.get(label, label)} | " + " | ".join(cells) + " |")
    lines += ["", "Responses (bytes / SQL queries per request; ETag sent?):", "",
              "| framework | " + " | ".join(TITLES[e] for e in ENDPOINTS) + " |",
              "|---|" + "---:|" * len(ENDPOINTS)]
    for fw in data["frameworks"]:
        checks = data["checks"][fw]
        cells = [
            f"{checks[e]['bytes']:,} B / {checks[e]['queries']} q" + (" / ETag" if checks[e]["etag"] else "")
            for e in ENDPOINTS
        ]
        lines.append(f"| {NAMES.get(fw, fw)} | " + " | ".join(cells) + " |")
    return lines


def _http(data: dict[str, Any]) -> list[str]:
    lines = [
        f"gunicorn, {data['workers']} sync workers per framework, `{data['wrk'].split(' Copyright')[0]}` with 1 thread and "
        f"{data['connections']} connections, {data['seconds']} s per run, {data['rounds']} rounds. "
        "Cell = median requests/s (× median per-round ratio to the plain view) and median p50 / p99 latency; "
        "RSS = largest worker VmRSS seen.",
        "",
        "| framework | " + " | ".join(TITLES[e] for e in ENDPOINTS) + " | RSS/worker |",
        "|---|" + "---:|" * (len(ENDPOINTS) + 1),
    ]
    for fw in data["frameworks"]:
        cells = []
        for e in ENDPOINTS:
            errors = data["errors"][fw][e]
            cell = (f"{data['rps'][fw][e]:,.0f}/s (×{data['ratio'][fw][e]:.2f}) "
                    f"{data['p50_ms'][fw][e]:.1f} / {data['p99_ms'][fw][e]:.1f} ms")
            if errors:
                cell += f" ⚠ {errors} errors"
            cells.append(cell)
        rss = data["rss_mib"][fw]
        lines.append(f"| {NAMES.get(fw, fw)} | " + " | ".join(cells) + f" | {rss:.0f} MiB |")
    return lines


def _services(data: dict[str, Any]) -> list[str]:
    lines = ["| service | measurement | result |", "|---|---|---|"]
    for row in data.get("rows", []):
        lines.append(f"| {row['service']} | {row['what']} | {row['result']} |")
    for note in data.get("notes", []):
        lines += ["", f"- {note}"]
    return lines


def render_report(results: dict[str, Any]) -> str:
    machine = results["machine"]
    out = [
        "# webapi_kit benchmarks",
        "",
        f"Run {results['started']} – {results['finished']}{' (--quick)' if results['quick'] else ''}, "
        f"CPU: {machine['cpu']} × {machine['cores']} cores, {machine['platform']}; "
        f"checkout {results.get('git', 'unknown')}; load average (1/5/15 min) {machine.get('load_start', '?')} "
        f"at the start, {machine.get('load_end', '?')} at the end.",
        "Command: `python benchmarks/run.py" + (" --quick" if results["quick"] else "") + "`. "
        "Frameworks are interleaved round by round in one run; compare within a table, not across runs.",
        "",
    ]
    if results.get("minutes"):
        out += ["Minutes per part: " + ", ".join(f"{k} {v}" for k, v in results["minutes"].items()) + ".", ""]
    for env, parts in results["envs"].items():
        versions = None
        for key in ("inprocess", "http", "services"):
            if key in parts and "versions" in parts[key]:
                versions = parts[key]["versions"]
                break
        out += [f"## {ENV_TITLES.get(env, env)}", ""]
        if versions:
            out += [f"Versions: {_versions(versions)}.", ""]
        for key, part in parts.items():
            if isinstance(part, dict) and "error" in part:
                out += [f"**{key}: not measured — {part['error']}.**", ""]
        parts = {k: v for k, v in parts.items() if not (isinstance(v, dict) and "error" in v)}
        if "inprocess" in parts:
            out += ["### In-process (django.test.Client)", ""]
            out += _inprocess(parts["inprocess"], parts.get("inprocess_no_orjson"))
            out.append("")
        if "http" in parts:
            out += ["### Over HTTP (gunicorn + wrk, 127.0.0.1)", ""]
            out += _http(parts["http"])
            out.append("")
        if "profile" in parts:
            t = parts["profile"]["timings_us"]
            out += [f"Profile of webapi_kit's list of 25 (JSON): `benchmarks/results/profile-webapi_kit.txt` "
                    f"(unprofiled: plain {t['plain']:,.0f} µs, webapi_kit {t['webapi_kit']:,.0f} µs per request).", ""]
        if "profile_xml" in parts:
            t = parts["profile_xml"]["timings_us"]
            out += [f"Profile of webapi_kit's list of 25 (XML): `benchmarks/results/profile-webapi_kit-list_xml.txt` "
                    f"(unprofiled: plain {t['plain']:,.0f} µs, webapi_kit {t['webapi_kit']:,.0f} µs per request).", ""]
        for key in ("services", "services_postgresql"):
            if key in parts:
                out += [f"### Example project services ({parts[key].get('database', 'SQLite')})", ""]
                out += _services(parts[key])
                out.append("")
    return "\n".join(out)
