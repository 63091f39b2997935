#!/usr/bin/env python3
"""pydigest benchmark driver; run through bench/run.sh (which builds and installs first).

Measures ingest (cold / warm) against reader, newsboat and a feedparser+requests loop, parse
throughput, search latency and the weekly digest, and writes BENCHMARKS.md."""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The shared corpus sits beside the checkout, as in the tests (../shared/corpus).
CORPUS = os.environ.get("PYDIGEST_CORPUS", os.path.join(os.path.dirname(ROOT), "shared", "corpus", "feeds"))

ap = argparse.ArgumentParser()
ap.add_argument("--quick", action="store_true")
ap.add_argument("--work", required=True)
ap.add_argument("--bin", required=True)
ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
ap.add_argument("--command", default="bench/run.sh")
ap.add_argument("--report-from", help="re-render BENCHMARKS.md from a results.json")
ap.add_argument("--note", default="", help="a paragraph added under the machine line (e.g. other load)")
args = ap.parse_args()

QUICK = args.quick
NS = [100] if QUICK else [100, 1000, 2000]
RUNS = 1 if QUICK else 3
ROWS = [100_000] if QUICK else [100_000, 1_000_000]
READER_ROWS = 10_000 if QUICK else 50_000
# Runs per (tool, N). The Python peers need ~4 min per 1000 feeds here (single core, GIL-bound
# parsing): reader is measured once at the large N (not extrapolated), the feedparser loop (no
# target depends on it) at 100 only.
SLOW_RUNS = {"reader": {100: 3, 1000: 1, 2000: 1}, "feedparser": {100: 3}}


def runs_for(tool, n):
    if QUICK:
        return 1
    if tool in SLOW_RUNS:
        return SLOW_RUNS[tool].get(n, 0)
    return 3


PARSE_SECS = 1.0 if QUICK else 3.0
WORK = args.work
BIN = args.bin
PYDIGEST = os.path.join(BIN, "pydigest")
PEERS = os.path.join(HERE, "peers")
PY = sys.executable
PORT = 18000 + os.getpid() % 1000
results = {}
log_lines = []


def log(msg):
    print(msg, flush=True)


def loadavg():
    """The 1-minute load average now (the machine is shared: every figure carries it)."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def measure(cmd, env=None, ok=(0,), stdout=subprocess.DEVNULL):
    """Runs cmd; returns wall seconds, CPU seconds (user+sys), peak RSS in MiB and the load
    average at its start."""
    load = loadavg()
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in ok:
        raise RuntimeError(f"{cmd[:3]} exited {p.returncode}: {err.decode(errors='replace')[-2000:]}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss": ru.ru_maxrss / 1024.0,
            "stderr": err.decode(errors="replace")[-500:], "load": load}


def load_range(runs):
    """'1.2–2.0': the lowest and highest load average seen at the start of `runs`."""
    loads = [r["load"] for r in runs if "load" in r]
    if not loads:
        return "?"
    lo, hi = min(loads), max(loads)
    return f"{lo:.1f}" if abs(hi - lo) < 0.05 else f"{lo:.1f}–{hi:.1f}"


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


# ---------------------------------------------------------------- ingest
def start_server(n):
    p = subprocess.Popen([os.path.join(BIN, "corpus-server"), CORPUS, str(n), str(PORT)],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    log(f"  server: {line.strip()}")
    m = re.search(r"\((\d+) feeds, (\d+) bytes\)", line)
    return p, int(m.group(2))


def write_inputs(d, n):
    urls = [f"http://127.0.0.1:{PORT}/f/{i}.xml" for i in range(n)]
    with open(os.path.join(d, "urls"), "w") as f:
        f.write("\n".join(urls) + "\n")
    with open(os.path.join(d, "feeds.toml"), "w") as f:
        f.write(f'[settings]\ndatabase = "pydigest.db"\nconcurrency = 16\nper_host = 16\n\n')
        for i, u in enumerate(urls):
            f.write(f'[[source]]\nid = "f{i}"\nurl = "{u}"\nkind = "feed"\n\n')
    with open(os.path.join(d, "newsboat.conf"), "w") as f:
        f.write("reload-threads 16\nshow-read-feeds yes\nsuppress-first-reload no\n")


def tool_cmd(tool, d):
    if tool == "pydigest":
        return [PYDIGEST, "-q", "--config", os.path.join(d, "feeds.toml"), "fetch"], (0, 3)
    if tool == "reader":
        return [PY, os.path.join(PEERS, "reader_ingest.py"), os.path.join(d, "reader.db"),
                os.path.join(d, "urls"), "16"], (0,)
    if tool == "newsboat":
        return ["newsboat", "-q", "-C", os.path.join(d, "newsboat.conf"), "-u", os.path.join(d, "urls"),
                "-c", os.path.join(d, "cache.db"), "-x", "reload"], (0,)
    if tool == "feedparser":
        return [PY, os.path.join(PEERS, "feedparser_loop.py"), os.path.join(d, "fp.db"),
                os.path.join(d, "urls")], (0,)
    raise ValueError(tool)


def entry_count(tool, d):
    import sqlite3
    db, sql = {"pydigest": ("pydigest.db", "SELECT count(*) FROM entries"),
               "reader": ("reader.db", "SELECT count(*) FROM entries"),
               "newsboat": ("cache.db", "SELECT count(*) FROM rss_item"),
               "feedparser": ("fp.db", "SELECT count(*) FROM entries")}[tool]
    try:
        return sqlite3.connect(os.path.join(d, db)).execute(sql).fetchone()[0]
    except Exception as e:  # noqa
        return f"? ({e})"


TOOLS = ["pydigest", "reader", "newsboat", "feedparser"]


def server_stats(reset=False):
    """The corpus server's counts of full (200) and 304 feed responses; `reset` zeroes them."""
    import urllib.request
    path = "/stats/reset" if reset else "/stats"
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}") as r:
        return json.loads(r.read())


# A warm run must be conditional: a peer that stores validators only from its second fetch
# (newsboat 2.21) is re-run, untimed, until it sends conditional requests; at most this many.
MAX_WARMUPS = 3


def ingest_once(tool, n, r):
    """One cold run on an empty store, then warm runs until one is fully conditional (all 304);
    the cold and that warm run are the measurements."""
    d = fresh_dir(os.path.join(WORK, "ingest", f"{tool}-{n}-{r}"))
    write_inputs(d, n)
    env = dict(os.environ, HOME=d, XDG_CONFIG_HOME=d, XDG_DATA_HOME=d)
    cmd, ok = tool_cmd(tool, d)
    server_stats(reset=True)
    cold = measure(cmd, env, ok)
    cold["full"] = server_stats(reset=True)["full"]
    entries = entry_count(tool, d)
    # Re-run until every feed is answered 304, or until the count of full answers stops falling
    # (a feed the tool cannot parse never gets validators stored): that run is the timed one.
    warmups, previous = 0, None
    while True:
        warm = measure(cmd, env, ok)
        st = server_stats(reset=True)
        warm["not_modified"], warm["full"] = st["not_modified"], st["full"]
        if st["full"] == 0 or st["full"] == previous or warmups >= MAX_WARMUPS:
            break
        previous = st["full"]
        warmups += 1
    warm["warmups"] = warmups
    log(f"  ingest {tool:10} N={n:5} run {r}: cold {cold['wall']:.2f}s (load {cold['load']:.1f}) "
        f"warm {warm['wall']:.2f}s after {warmups} untimed re-run(s), {warm['not_modified']} x 304 / "
        f"{warm['full']} x 200; rss {cold['rss']:.0f} MiB, {entries} entries")
    shutil.rmtree(d, ignore_errors=True)
    return cold, warm, entries


def bench_ingest():
    """Every N: the tools alternate run by run (pydigest, reader, newsboat, feedparser, then
    again), so slow drifts in the shared machine's load reach every tool alike."""
    out = {}
    for n in NS:
        server, nbytes = start_server(n)
        try:
            runs = {tool: ([], [], None) for tool in TOOLS if runs_for(tool, n) > 0}
            for r in range(max(runs_for(t, n) for t in TOOLS)):
                for tool in TOOLS:
                    if r >= runs_for(tool, n):
                        continue
                    cold, warm, entries = ingest_once(tool, n, r)
                    runs[tool][0].append(cold)
                    runs[tool][1].append(warm)
                    runs[tool] = (runs[tool][0], runs[tool][1], entries)
            for tool, (cold, warm, entries) in runs.items():
                out[(tool, n)] = {
                    "cold_wall": med(cold, "wall"), "cold_cpu": med(cold, "cpu"), "cold_rss": med(cold, "rss"),
                    "cold_rss_max": max(x["rss"] for x in cold), "cold_load": load_range(cold),
                    "warm_wall": med(warm, "wall"), "warm_cpu": med(warm, "cpu"), "warm_rss": med(warm, "rss"),
                    "warm_load": load_range(warm), "warmups": max(x["warmups"] for x in warm),
                    "warm_full": max(x["full"] for x in warm),
                    "entries": entries, "bytes": nbytes, "runs": len(cold),
                }
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait()
    return out


# ---------------------------------------------------------------- parse
PARSE_MODES = ("quickxml", "feedrs", "pydigest")


def bench_parse():
    """Rounds of every parser in turn (never one parser's runs in a block); the median MB/s of
    the rounds per parser, with the load average at the start of each."""
    rounds = {m: [] for m in PARSE_MODES + ("feedparser",)}
    for _ in range(RUNS):
        for m in PARSE_MODES + ("feedparser",):
            load = loadavg()
            if m == "feedparser":
                cmd = [PY, os.path.join(PEERS, "feedparser_parse.py"), CORPUS, str(PARSE_SECS)]
            else:
                cmd = [os.path.join(BIN, "parsebench"), CORPUS, str(PARSE_SECS), m]
            p = subprocess.run(cmd, check=True, capture_output=True, text=True)
            j = json.loads(p.stdout.splitlines()[0])
            j["mbs"] = j["bytes"] / j["seconds"] / 1e6
            j["eps"] = j["entries"] / j["seconds"]
            j["load"] = load
            rounds[m].append(j)
            log(f"  parse {m:10}: {j['mbs']:8.1f} MB/s {j['eps']:10.0f} entries/s ({j['entries']} entries, "
                f"{j['failed']} failed; load {load:.1f})")
    out = {}
    for m, js in rounds.items():
        js.sort(key=lambda j: j["mbs"])
        mid = dict(js[len(js) // 2])
        mid["load"] = load_range(js)
        mid["rounds"] = len(js)
        out[m] = mid
    return out


# ---------------------------------------------------------------- search + digest
def make_store(rows):
    d = fresh_dir(os.path.join(WORK, f"store-{rows}"))
    db = os.path.join(d, "store.db")
    cfg = os.path.join(ROOT, "feeds.toml")
    subprocess.run([PYDIGEST, "-q", "--config", cfg, "--db", db, "sources"], check=True,
                   stdout=subprocess.DEVNULL)
    qfile = os.path.join(d, "queries.tsv")
    t = time.perf_counter()
    subprocess.run([os.path.join(BIN, "searchbench"), "gen", db, CORPUS, str(rows), qfile], check=True)
    gen_s = time.perf_counter() - t
    size = os.path.getsize(db) / 2**20
    log(f"  store {rows}: generated in {gen_s:.0f} s, {size:.0f} MiB")
    return d, db, qfile, gen_s, size


def sql_search(db, qfile, mode, passes):
    """searchbench's timing of one query mode (`lib` is the library function `pydigest search`
    calls, `bm25` the exhaustive FTS5 ordering it is checked against)."""
    load = loadavg()
    p = subprocess.run([os.path.join(BIN, "searchbench"), "query", db, qfile, mode, str(passes)],
                       check=True, capture_output=True, text=True)
    j = json.loads(p.stdout)
    j["load"] = f"{load:.1f}"
    return j


def percentiles(lat):
    lat = sorted(lat)
    return {"p50": lat[round((len(lat) - 1) * .5)], "p95": lat[round((len(lat) - 1) * .95)], "max": lat[-1]}


def cli_search(db, qfile, passes):
    """`pydigest search` end to end (process start, store open, query, rendering) per query."""
    cfg = os.path.join(ROOT, "feeds.toml")
    qs = [l.rstrip("\n").split("\t", 1) for l in open(qfile) if "\t" in l]
    lat, bands, loads = [], {}, []
    for i in range(passes + 1):
        for band, q in qs:
            m = measure([PYDIGEST, "-q", "--config", cfg, "--db", db, "search", "--limit", "20"] + q.split(),
                        ok=(0, 1))
            if i > 0:
                lat.append(m["wall"] * 1000)
                bands.setdefault(band, []).append(m["wall"] * 1000)
                loads.append(m)
    out = percentiles(lat)
    out["bands"] = {b: percentiles(v) for b, v in bands.items()}
    out["load"] = load_range(loads)
    # The fixed cost of a process (start, config, store open, migrations check): a query that
    # matches nothing.
    floor = [measure([PYDIGEST, "-q", "--config", cfg, "--db", db, "search", "--limit", "20", "zzqxjnomatch"],
                     ok=(0, 1))["wall"] * 1000 for _ in range(5)]
    out["floor"] = statistics.median(floor)
    return out


def bench_search_digest():
    out = {}
    passes = 1 if QUICK else 3
    for rows in ROWS:
        d, db, qfile, gen_s, size = make_store(rows)
        r = {"gen_s": gen_s, "size_mib": size}
        cfg = os.path.join(ROOT, "feeds.toml")
        # The first search builds whatever the search path builds on first use: timed apart.
        first = measure([PYDIGEST, "-q", "--config", cfg, "--db", db, "search", "--limit", "20", "python"],
                        ok=(0, 1))
        r["first_search"] = {"wall": first["wall"], "load": first["load"]}
        log(f"  first search {rows}: {first['wall']:.2f} s")
        for mode in ("lib", "bm25"):
            try:
                r[mode] = sql_search(db, qfile, mode, passes)
            except subprocess.CalledProcessError as e:
                log(f"  search {rows} {mode}: searchbench failed: {e.stderr.strip()[-300:]}")
                continue
            log(f"  search {rows} {mode}: p50 {r[mode]['p50']:.2f} ms p95 {r[mode]['p95']:.2f} ms "
                f"{'recall@20 ' + str(r[mode].get('recall20_mean')) if 'recall20_mean' in r[mode] else ''}")
        r["cli"] = cli_search(db, qfile, 1)
        log(f"  search {rows} CLI: p50 {r['cli']['p50']:.1f} ms p95 {r['cli']['p95']:.1f} ms")
        if rows == ROWS[0]:
            r["like"] = sql_search(db, qfile, "like", 1)
            rdb = os.path.join(d, "reader.db")
            load = loadavg()
            p = subprocess.run([PY, os.path.join(PEERS, "reader_search.py"), db, str(READER_ROWS), qfile, rdb,
                                str(passes)], check=True, capture_output=True, text=True)
            r["reader"] = json.loads(p.stdout)
            r["reader"]["load"] = f"{load:.1f}"
            r["reader_rows"] = READER_ROWS
            log(f"  search reader {READER_ROWS}: {r['reader']}")
        # digest of one week (2025-W20: ~rows/104 entries): the first run apart (it may fill
        # caches), then the median of the next runs.
        cmd = [PYDIGEST, "-q", "--config", cfg, "--db", db, "digest", "--week", "2025-W20", "--json"]
        first = measure(cmd)
        runs = [measure(cmd) for _ in range(max(RUNS, 3))]
        r["digest"] = {"wall": med(runs, "wall"), "cpu": med(runs, "cpu"), "rss": med(runs, "rss"),
                       "first_wall": first["wall"], "load": load_range([first] + runs)}
        import sqlite3
        r["week_rows"] = sqlite3.connect(db).execute(
            "SELECT count(*) FROM entries WHERE published >= '2025-05-12' AND published < '2025-05-19'").fetchone()[0]
        log(f"  digest {rows}: first {first['wall'] * 1000:.0f} ms, then {r['digest']['wall'] * 1000:.0f} ms "
            f"({r['week_rows']} entries in the week)")
        out[rows] = r
        if rows != ROWS[-1]:
            shutil.rmtree(d, ignore_errors=True)
    return out


# ---------------------------------------------------------------- report
def machine():
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    free = subprocess.run(["free", "-g"], capture_output=True, text=True).stdout.strip()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return cpu, nproc, free


def fmt_s(x):
    return f"{x:.2f} s" if x >= 1 else f"{x * 1000:.0f} ms"


def report(ing, parse, srch, total_s, started, ended):
    cpu, nproc, free = machine()
    L = []
    L.append("# pydigest benchmarks\n")
    L.append(f"Generated by `{args.command}` ({'quick mode' if QUICK else 'full mode'}), measured {started} – "
             f"{ended}; the whole run took {total_s / 60:.1f} min.\n")
    L.append(f"Machine: {cpu}; `nproc` = {nproc}; Python {platform.python_version()}; "
             f"newsboat {subprocess.run(['newsboat', '-v'], capture_output=True, text=True).stdout.split()[1]}; "
             f"reader {__import__('reader').__version__}; feedparser {__import__('feedparser').__version__}.\n")
    L.append("```\n$ free -g\n" + free + "\n```\n")
    if args.note:
        L.append(args.note + "\n")
    L.append("Every figure is from this one run: tools alternate run by run (never one tool's runs in a block), "
             "each figure is the median of its runs, and each carries the 1-minute load average read at the "
             "start of its runs (lowest–highest) — the machine is shared, so a figure taken at load 3 is not "
             "comparable with one taken at 0.5, while the ratios in one row are. Ratios are the peer's figure "
             "divided by pydigest's (higher = pydigest faster).\n")
    targets = []

    def t(name, fig, ok, cmd):
        targets.append((name, fig, ok, cmd))

    # ---- ingest
    L.append("## Ingest (loopback HTTP)\n")
    L.append("`bench/server` (Rust, thread per connection, HTTP/1.1 keep-alive, 127.0.0.1 only) serves a scale "
             "corpus built in memory at start-up: feed `/f/<n>.xml` is real corpus file `n mod 71` with every "
             "`<guid>`, `<id>`, `<link>`, `<feedburner:origLink>` text and `<link href>` given `?copy=<n>`, so ids "
             "and links are distinct per copy; ETag / If-None-Match (and Last-Modified / If-Modified-Since) "
             "answer 304, and the server counts its 200 and 304 answers. Cold = empty store. Warm = the same "
             "command again on that store, once the tool sends conditional requests: it is re-run until the "
             "server answers 304 for every feed or the count of full (200) answers stops falling — a tool that "
             "stores validators only from its second fetch (newsboat 2.21) needs untimed re-runs (column "
             "*re-runs*); *200s in warm* are the full answers left in the timed warm run (feeds that tool never "
             "sends validators for). reader runs `update_feeds(scheduled=False)`: its default skips feeds updated "
             "within the hour, which would make a warm run that sends no request at all. All clients use 16 "
             "concurrent requests: pydigest `concurrency = 16, per_host = 16` "
             "(`pydigest -q --config feeds.toml fetch`), reader `update_feeds(workers=16)` "
             "(`bench/peers/reader_ingest.py`; search not enabled during ingest, reader's default), newsboat "
             "`reload-threads 16` (`newsboat -x reload`), feedparser loop `ThreadPoolExecutor(16)` + "
             "requests + sqlite3, no FTS (`bench/peers/feedparser_loop.py`). pydigest maintains its FTS5 index "
             "during ingest; the peers do not. CPU = user+sys of the process and its children; RSS = peak "
             "resident set (`wait4` rusage).\n")
    if not QUICK:
        L.append("reader is measured 3× at N = 100 and once at 1000 and 2000 (~4 min per 1000 feeds here); the "
                 "feedparser loop, which no target depends on, 3× at 100 only.\n")
    L.append("| N feeds | MB | tool | runs | entries | cold wall | cold CPU | peak RSS | load (cold) | warm wall | "
             "warm CPU | re-runs | 200s in warm | load (warm) | cold ×pydigest | warm ×pydigest |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in NS:
        base = ing[("pydigest", n)]
        for tool in TOOLS:
            if (tool, n) not in ing:
                continue
            x = ing[(tool, n)]
            L.append(f"| {n} | {x['bytes'] / 1e6:.0f} | {tool} | {x['runs']} | {x['entries']} | {fmt_s(x['cold_wall'])} | "
                     f"{fmt_s(x['cold_cpu'])} | {x['cold_rss']:.0f} MiB | {x.get('cold_load', '?')} | "
                     f"{fmt_s(x['warm_wall'])} | {fmt_s(x['warm_cpu'])} | {x.get('warmups', '?')} | "
                     f"{x.get('warm_full', '?')} | {x.get('warm_load', '?')} | "
                     f"{x['cold_wall'] / base['cold_wall']:.1f}× | {x['warm_wall'] / base['warm_wall']:.1f}× |")
    L.append("")
    for n in NS:
        pdi = ing[("pydigest", n)]
        cmd = f"`pydigest -q --config feeds.toml fetch` vs the peer's command above, N = {n}, alternated"
        if n >= 1000 and ("newsboat", n) in ing:
            nb = ing[("newsboat", n)]
            t(f"cold ingest of {n} feeds ≥3× faster than newsboat",
              f"{nb['cold_wall'] / pdi['cold_wall']:.1f}× ({fmt_s(pdi['cold_wall'])} vs {fmt_s(nb['cold_wall'])}; "
              f"load {pdi['cold_load']} / {nb['cold_load']})", nb["cold_wall"] / pdi["cold_wall"] >= 3, cmd)
        if ("reader", n) in ing:
            rd = ing[("reader", n)]
            t(f"cold ingest of {n} feeds ≥10× faster than reader",
              f"{rd['cold_wall'] / pdi['cold_wall']:.1f}× ({fmt_s(pdi['cold_wall'])} vs {fmt_s(rd['cold_wall'])}, "
              f"{rd['runs']} reader run(s); load {pdi['cold_load']} / {rd['cold_load']})",
              rd["cold_wall"] / pdi["cold_wall"] >= 10, cmd)
    big = max(NS)
    pdi = ing[("pydigest", big)]
    t(f"warm re-fetch ≥10× faster than cold ({big} feeds)", f"{pdi['cold_wall'] / pdi['warm_wall']:.1f}× "
      f"({fmt_s(pdi['warm_wall'])} vs {fmt_s(pdi['cold_wall'])})", pdi["cold_wall"] / pdi["warm_wall"] >= 10,
      "`pydigest -q --config feeds.toml fetch` twice on one store")
    # ---- parse
    L.append("## Parse (whole corpus in memory, 71 files)\n")
    L.append("`bench/server/src/bin/parsebench.rs CORPUS SECS MODE`: `quickxml` is a bare quick-xml 0.42 tokenising "
             "pass (counts `item`/`entry` start tags, stops at the first error, so some non-UTF-8/broken files count "
             "fewer entries); `feedrs` is `feed_rs::parser::parse` (XML to entries, the step pydigest builds on); "
             "`pydigest` is `pydigest::parse::parse_document`, the function `fetch` calls (charset sniffing, repairs, "
             "feed-rs, dates, URL canonicalisation, HTML sanitising, HTML to text, ids and hashes). `feedparser` is "
             "Python feedparser 6 `parse(bytes)` with defaults, sanitising on (`bench/peers/feedparser_parse.py`). "
             f"Each loops over the corpus for ≥{PARSE_SECS:g} s after a warm-up pass; {RUNS} round(s), the four "
             "parsers in turn within each round; the median round per parser.\n")
    L.append("| parser | MB/s | entries/s | entries | failed files | load | pydigest ÷ |")
    L.append("|---|---|---|---|---|---|---|")
    pd = parse["pydigest"]
    for m in ("quickxml", "feedrs", "pydigest", "feedparser"):
        j = parse[m]
        L.append(f"| {m} | {j['mbs']:.1f} | {j['eps']:.0f} | {j['entries']} | {j['failed']} | {j.get('load', '?')} | "
                 f"{pd['mbs'] / j['mbs']:.2f}× |")
    L.append("")
    qx, fp = parse["quickxml"], parse["feedparser"]
    t("whole normalise path ≥30× faster than feedparser", f"{pd['mbs'] / fp['mbs']:.1f}× "
      f"({pd['mbs']:.1f} vs {fp['mbs']:.1f} MB/s)", pd["mbs"] / fp["mbs"] >= 30,
      "`parsebench CORPUS 3 pydigest` vs `feedparser_parse.py CORPUS 3`")
    t("whole normalise path at most 6× slower than a bare quick-xml pass", f"{qx['mbs'] / pd['mbs']:.1f}× slower "
      f"({pd['mbs']:.1f} vs {qx['mbs']:.0f} MB/s)", qx["mbs"] / pd["mbs"] <= 6,
      "`parsebench CORPUS 3 pydigest` vs `parsebench CORPUS 3 quickxml`")
    # ---- search
    L.append("## Search\n")
    L.append("Synthetic stores: the schema is created by `pydigest --db X sources` (the repository's feeds.toml, "
             "so the catalogue's sources exist), then `searchbench gen` inserts the rows in ONE transaction "
             "(the schema's triggers fill FTS5). Vocabulary: the corpus text with tags stripped, words of 3–15 "
             "letters, top 20 000 by frequency; words drawn with Zipf(s = 1) over that rank; titles 8 words, "
             "summaries 40, bodies 200 (`content_text`, and `<p>…</p>` as `content_html`); 500 authors; one "
             "story per entry; published uniformly over 2024-01-01 .. 2025-12-29 (104 weeks). 50 queries: 20 "
             "common words (vocabulary ranks 10–300), 15 medium (1 000–4 000), 10 rare (12 000–20 000), 5 "
             "two-word AND queries (ranks 100–2 000).\n")
    L.append("Rows: **`pydigest search` CLI** is the binary end to end, process start included "
             "(`pydigest --db X search --limit 20 WORDS`); **library** is `searchbench query DB Q lib`, which calls "
             "the same library function the command calls (`pydigest::bench_api::search`: query building, "
             "candidate search, ranking, snippets, sightings) in one process; **exhaustive bm25** is "
             "`SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY bm25(entries_fts, 10.0, 3.0, 1.0, "
             "2.0)` over every match, the reference ordering recall@20 is computed against (the share of its top 20 "
             "stories the library returns in its 20); `LIKE` is `title/summary/content_text LIKE '%w%' LIMIT 20` "
             "(the floor, at the small size only). The targets apply to the library row; the CLI row adds the "
             "process's fixed cost (below). The first search on a fresh store is timed apart (*first "
             "search*: it includes building whatever the search path builds on first use).\n")
    L.append("| rows | generate | DB size | first search | query | p50 | p95 | max | common p50/p95 | medium p50/p95 | "
             "rare p50/p95 | two-word p50/p95 | recall@20 mean (min) | load |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for rows, r in srch.items():
        for mode, label in (("cli", "`pydigest search` CLI"), ("lib", "library (real code path)"),
                            ("bm25", "exhaustive bm25"), ("like", "LIKE scan"),
                            ("reader", f"reader ({r.get('reader_rows', 0):,} rows)")):
            if mode not in r:
                continue
            j = r[mode]
            b = j.get("bands", {})
            bp = lambda k: f"{b[k]['p50']:.1f} / {b[k]['p95']:.1f}" if k in b else "–"  # noqa
            rec = f"{j['recall20_mean']:.3f} ({j['recall20_min']:.2f})" if "recall20_mean" in j else "–"
            fs = fmt_s(r["first_search"]["wall"]) if "first_search" in r else "–"
            L.append(f"| {rows:,} | {r['gen_s']:.0f} s | {r['size_mib']:.0f} MiB | {fs} | {label} | {j['p50']:.2f} ms | "
                     f"{j['p95']:.2f} ms | {j['max']:.2f} ms | {bp('common')} | {bp('medium')} | {bp('rare')} | "
                     f"{bp('two-word')} | {rec} | {j.get('load', '?')} |")
    for rows, r in srch.items():
        if "floor" in r.get("cli", {}):
            L.append(f"\nAt {rows:,} rows a `pydigest search` process that matches nothing takes "
                     f"{r['cli']['floor']:.1f} ms (median of 5): process start, config, store open — the part of "
                     "every CLI figure that is not search.")
    for rows, r in srch.items():
        if "reader" in r:
            j = r["reader"]
            L.append(f"\nreader at {j['rows']:,} rows: loading through `add_entry()` took {j['load_s']:.0f} s, "
                     f"`enable_search(); update_search()` {j['index_s']:.0f} s. reader is measured at "
                     f"{j['rows']:,} rows only (its Python-side indexing makes 1M impractical within the run's "
                     "budget); its store holds the first rows of the same synthetic set.")
    L.append("")
    top = max(srch)
    for mode, label in (("lib", "library"),):
        j = srch[top].get(mode)
        if not j:
            continue
        worst50 = max([j["p50"]] + [v["p50"] for v in j.get("bands", {}).values()])
        worst95 = max([j["p95"]] + [v["p95"] for v in j.get("bands", {}).values()])
        cmd = ("`searchbench query store.db queries.tsv lib 3`" if mode == "lib"
               else "`pydigest --db store.db search --limit 20 …` per query")
        t(f"search p50 < 5 ms at {top:,} rows, every query class ({label})", f"worst class p50 {worst50:.2f} ms",
          worst50 < 5, cmd)
        t(f"search p95 < 50 ms at {top:,} rows, every query class ({label})", f"worst class p95 {worst95:.2f} ms",
          worst95 < 50, cmd)
    j = srch[top].get("lib", {})
    if "recall20_mean" in j:
        t(f"recall@20 vs the exhaustive bm25 ordering ≥ 0.95 at {top:,} rows",
          f"mean {j['recall20_mean']:.3f}, min {j['recall20_min']:.2f}", j["recall20_mean"] >= 0.95,
          "`searchbench query store.db queries.tsv lib 3`")
    # ---- digest
    L.append("## Digest\n")
    L.append("`pydigest --db store.db digest --week 2025-W20 --json` on the synthetic stores above: the first run "
             "apart (it may fill caches), then the median of the next runs.\n")
    L.append("| rows | entries in the week | first run | then (median) | CPU | peak RSS | load |")
    L.append("|---|---|---|---|---|---|---|")
    for rows, r in srch.items():
        dg = r["digest"]
        L.append(f"| {rows:,} | {r['week_rows']} | {fmt_s(dg.get('first_wall', dg['wall']))} | {fmt_s(dg['wall'])} | "
                 f"{fmt_s(dg['cpu'])} | {dg['rss']:.0f} MiB | {dg.get('load', '?')} |")
    L.append("")
    dg = srch[top]["digest"]
    t(f"digest of a week < 200 ms at {top:,} rows", f"{dg['wall'] * 1000:.0f} ms (first run "
      f"{dg.get('first_wall', dg['wall']) * 1000:.0f} ms)", dg["wall"] < 0.2,
      "`pydigest --db store.db digest --week 2025-W20 --json`")
    # ---- targets
    L.append("## Targets (issue 16)\n")
    L.append("| target | figure | status | command |")
    L.append("|---|---|---|---|")
    for name, fig, ok, cmd in targets:
        L.append(f"| {name} | {fig} | {'met' if ok else '**missed**'} | {cmd} |")
    L.append("")
    if QUICK:
        L.append("_Quick mode: N = 100 only, 100k rows, 1 run; the targets quoted at 1000/2000 feeds and 1M rows "
                 "are evaluated at the sizes measured here._\n")
    profile = os.path.join(HERE, "PROFILE.md")
    if os.path.exists(profile):
        L.append(open(profile).read())
    return "\n".join(L) + "\n"


if args.report_from:
    res = json.load(open(args.report_from))
    ing = {(k.rsplit("-", 1)[0], int(k.rsplit("-", 1)[1])): v for k, v in res["ingest"].items()}
    parse, srch = res["parse"], {int(k): v for k, v in res["search"].items()}
    text = report(ing, parse, srch, res.get("total_s", 0), res.get("started", "?"), res.get("ended", "?"))
else:
    t0 = time.perf_counter()
    started = f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M}"
    os.makedirs(WORK, exist_ok=True)
    log("== parse")
    parse = bench_parse()
    log("== ingest")
    ing = bench_ingest()
    log("== search and digest")
    srch = bench_search_digest()
    total_s = time.perf_counter() - t0
    ended = f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump({"ingest": {f"{k[0]}-{k[1]}": v for k, v in ing.items()}, "parse": parse,
                   "search": {str(k): v for k, v in srch.items()}, "total_s": total_s,
                   "started": started, "ended": ended}, f, indent=1, default=str)
    text = report(ing, parse, srch, total_s, started, ended)
with open(args.out, "w") as f:
    f.write(text)
print()
print(text)
