"""PDF benchmark: the demo journey rendered N times in one process by the app's renderer
(journeys.deliverable.pdf.render_journey_pdf, WeasyPrint), and the same print HTML by headless
Chromium.

    .venv/bin/python bench/pdf.py [--runs 10] [--chromium-runs 3]

Target (issue 21): ≤ 60 ms per page warm, and faster per document than a cold Chromium print
of the same HTML in the same run. Uses SQLite in a temp folder: no services needed.
"""

from __future__ import annotations

import argparse
import gc
import io
import re
import resource
import shutil
import subprocess
import time
import tracemalloc
from pathlib import Path
from typing import Any

import _lib

TARGET_MS_PER_PAGE = 60.0


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pdf_pages(data: bytes) -> int:
    try:
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(data)).pages)
    except ImportError:  # pypdf is a dev dependency; fall back to counting page objects
        return len(re.findall(rb"/Type\s*/Page[^s]", data))


def chromium_html(html: str, workdir: Path) -> Path:
    """A copy of the print HTML for Chromium only: the renderer's app-origin and root-relative
    /static/ URLs become file:// paths into the app's static folder (CSS copied and rewritten
    the same way, so its @font-face URLs resolve too)."""
    from django.conf import settings

    from journeys.deliverable.pdf import APP_ORIGIN

    static_dir = Path(settings.STATICFILES_DIRS[0]).resolve()
    media_dir = Path(settings.MEDIA_ROOT).resolve()

    def rewrite(text: str) -> str:
        text = text.replace(f"{APP_ORIGIN}/static/", "/static/").replace(
            f"{APP_ORIGIN}/media/", "/media/"
        )
        text = re.sub(r"""(["'(])/static/""", rf"\1file://{static_dir}/", text)
        return re.sub(r"""(["'(])/media/""", rf"\1file://{media_dir}/", text)

    css_copy = workdir / "print.css"
    css_copy.write_text(rewrite((static_dir / "pdf" / "print.css").read_text()))
    html = html.replace('href="/static/pdf/print.css"', f'href="file://{css_copy}"')
    path = workdir / "journey.html"
    path.write_text(rewrite(html))
    return path


def phase_times(snapshot: Any, runs: int) -> dict[str, list[float]]:
    """Where a render's time goes — template, WeasyPrint's render() (style cascade + layout),
    write_pdf() — timed by wrapping WeasyPrint's public entry points around the app's own
    render_journey_pdf, so whatever the renderer caches or tunes is measured as it runs."""
    from weasyprint import HTML
    from weasyprint.document import Document

    import journeys.deliverable.pdf as app_pdf

    phases: dict[str, list[float]] = {"template": [], "layout": [], "write_pdf": []}
    originals = (app_pdf.render_journey_html, HTML.render, Document.write_pdf)

    def timed(key: str, func: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                phases[key].append(time.perf_counter() - started)

        return wrapper

    app_pdf.render_journey_html = timed("template", originals[0])
    HTML.render = timed("layout", originals[1])
    Document.write_pdf = timed("write_pdf", originals[2])
    try:
        for _ in range(runs):
            app_pdf.render_journey_pdf(snapshot)
    finally:
        app_pdf.render_journey_html, HTML.render, Document.write_pdf = originals
    return phases


def run_chromium(html_path: Path, workdir: Path, n: int) -> tuple[float, Path]:
    profile = workdir / f"profile-{n}"
    out = workdir / f"chromium-{n}.pdf"
    argv = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={out}",
        html_path.as_uri(),
    ]
    started = time.perf_counter()
    subprocess.run(argv, capture_output=True, timeout=120, check=False)
    elapsed = time.perf_counter() - started
    shutil.rmtree(profile, ignore_errors=True)
    if not out.exists() or out.stat().st_size == 0:
        raise RuntimeError(f"chromium produced no PDF ({' '.join(argv)})")
    return elapsed, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="warm WeasyPrint renders (10)")
    parser.add_argument("--chromium-runs", type=int, default=3, help="Chromium prints (3)")
    parser.add_argument("--keep", type=Path, help="copy the PDFs into this folder")
    args = parser.parse_args()

    _lib.run_setup()
    _lib.banner("PDF: WeasyPrint renderer vs headless Chromium")
    load_before = _lib.load_note("before")
    with _lib.temp_dir("cvj-bench-pdf-") as tmp:
        env = _lib.app_env(
            database_url="",
            media_root=tmp / "media",
            production=False,
            CVJ_SQLITE_PATH=str(tmp / "bench.sqlite3"),
        )
        _lib.setup_django(env)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_demo", stdout=io.StringIO())
        results = bench(args, tmp)
    results["load"] = {"before": load_before, "after": _lib.load_note("after")}
    _lib.save_results("pdf", results)


def bench(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    from journeys import demo
    from journeys.deliverable.pdf import render_journey_html, render_journey_pdf
    from journeys.deliverable.snapshot import journey_snapshot
    from journeys.models import Journey

    journey = Journey.objects.get(title=demo.DEMO_JOURNEY["title"])
    snapshot = journey_snapshot(journey)
    _lib.step(
        f"demo journey #{journey.pk}: {snapshot.business_name}, {len(snapshot.stages)} stages"
    )

    rss_before = _rss_mib()
    started = time.perf_counter()
    first = render_journey_pdf(snapshot)
    cold = time.perf_counter() - started
    pages = first.pages
    _lib.step(f"cold render (fonts, imports, caches): {cold:.3f} s, {pages} pages")

    times: list[float] = []
    cpu: list[float] = []
    for i in range(args.runs):
        gc.collect()
        started, cpu_started = time.perf_counter(), time.process_time()
        rendered = render_journey_pdf(snapshot)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        if rendered.pages != pages:
            raise RuntimeError(f"run {i}: {rendered.pages} pages, expected {pages}")
    maxrss = _maxrss_mib()

    phases = phase_times(snapshot, runs=3)

    # Python-heap peak of one render (tracemalloc slows rendering, so it is not timed).
    tracemalloc.start()
    render_journey_pdf(snapshot)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    med = _lib.median(times)
    ms_per_page = med * 1000 / pages
    cpu_ms_per_page = _lib.median(cpu) * 1000 / pages
    table(
        ["WeasyPrint (in process)", "value"],
        [
            ["renders (warm)", len(times)],
            ["pages", pages],
            ["PDF size", f"{len(first.content) / 1024:.0f} KiB"],
            ["median s", f"{med:.3f}"],
            ["min s", f"{min(times):.3f}"],
            ["max s", f"{max(times):.3f}"],
            ["cold first render s", f"{cold:.3f}"],
            ["ms per page (median)", f"{ms_per_page:.1f}"],
            ["CPU ms per page (median)", f"{cpu_ms_per_page:.1f}"],
            ["  template ms (median)", f"{_lib.median(phases['template']) * 1000:.1f}"],
            ["  render(): styles + layout ms", f"{_lib.median(phases['layout']) * 1000:.1f}"],
            ["  write_pdf ms (median)", f"{_lib.median(phases['write_pdf']) * 1000:.1f}"],
            ["RSS before first render", f"{rss_before:.0f} MiB"],
            ["peak RSS (ru_maxrss)", f"{maxrss:.0f} MiB"],
            ["peak Python heap, 1 render", f"{traced_peak / 2**20:.1f} MiB"],
        ],
    )

    chromium: dict[str, Any] = {}
    if args.chromium_runs > 0 and shutil.which("chromium"):
        version = subprocess.run(
            ["chromium", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        html_path = chromium_html(render_journey_html(snapshot), tmp)
        empty = tmp / "empty.html"
        empty.write_text("<!doctype html><title>x</title><p>x</p>")
        run_chromium(empty, tmp, -1)  # first launch creates caches; not counted
        startup = [run_chromium(empty, tmp, -2 - i)[0] for i in range(args.chromium_runs)]
        c_times: list[float] = []
        out = html_path
        for i in range(args.chromium_runs):
            elapsed, out = run_chromium(html_path, tmp, i)
            c_times.append(elapsed)
        c_pages = _pdf_pages(out.read_bytes())
        c_med = _lib.median(c_times)
        c_start = _lib.median(startup)
        chromium = {
            "version": version,
            "runs": len(c_times),
            "pages": c_pages,
            "median_s": c_med,
            "min_s": min(c_times),
            "max_s": max(c_times),
            "startup_s": c_start,
            "ms_per_page": c_med * 1000 / c_pages,
            "ms_per_page_minus_startup": (c_med - c_start) * 1000 / c_pages,
        }
        print(f"  {version}")
        table(
            ["Chromium --print-to-pdf (fresh process per print)", "value"],
            [
                ["prints", len(c_times)],
                ["pages", c_pages],
                ["median s (incl. browser start)", f"{c_med:.3f}"],
                ["min s", f"{min(c_times):.3f}"],
                ["max s", f"{max(c_times):.3f}"],
                ["browser start + empty page s", f"{c_start:.3f}"],
                ["ms per page (median)", f"{chromium['ms_per_page']:.1f}"],
                [
                    "ms per page, start-up subtracted",
                    f"{chromium['ms_per_page_minus_startup']:.1f}",
                ],
            ],
        )
        ratio_doc = med / c_med
        ratio_page = ms_per_page / chromium["ms_per_page"]
        ratio_net = ms_per_page / max(chromium["ms_per_page_minus_startup"], 1e-9)
        chromium.update(
            ratio_doc=ratio_doc, ratio_page=ratio_page, ratio_page_minus_startup=ratio_net
        )
        print(
            f"  WeasyPrint / Chromium: {ratio_doc:.2f}× per document, {ratio_page:.2f}× per page;"
            f" {ratio_net:.2f}× per page against Chromium with its start-up subtracted."
        )
        if c_pages != pages:
            print(
                f"  (page counts differ: WeasyPrint {pages}, Chromium {c_pages} — Chromium "
                "ignores parts of the paged-media CSS, e.g. margin boxes and page counters)"
            )
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(out, args.keep / "chromium.pdf")
    else:
        print("  (Chromium not found: side-by-side skipped)")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / "weasyprint.pdf").write_bytes(first.content)

    met = ms_per_page <= TARGET_MS_PER_PAGE
    beats_chromium = bool(chromium) and med < chromium["median_s"]
    if chromium:
        print(
            "  "
            + _lib.verdict(
                beats_chromium,
                f"per document: WeasyPrint {med * 1000:.0f} ms warm vs Chromium "
                f"{chromium['median_s'] * 1000:.0f} ms cold ({med / chromium['median_s']:.2f}×)",
            )
        )
    print()
    print(
        "  "
        + _lib.verdict(
            met,
            f"{ms_per_page:.1f} ms/page warm vs target ≤ {TARGET_MS_PER_PAGE:.0f} ms/page"
            + ("" if met else f" ({ms_per_page / TARGET_MS_PER_PAGE:.2f}× the target)"),
        )
    )
    return {
        "weasyprint": {
            "runs": len(times),
            "pages": pages,
            "bytes": len(first.content),
            "median_s": med,
            "min_s": min(times),
            "max_s": max(times),
            "cold_s": cold,
            "ms_per_page": ms_per_page,
            "cpu_ms_per_page": cpu_ms_per_page,
            "phases_ms": {k: _lib.median(v) * 1000 for k, v in phases.items()},
            "maxrss_mib": maxrss,
            "rss_before_mib": rss_before,
            "traced_peak_mib": traced_peak / 2**20,
        },
        "chromium": chromium,
        "target_ms_per_page": TARGET_MS_PER_PAGE,
        "met": met,
        "beats_chromium_per_document": beats_chromium,
    }


table = _lib.table

if __name__ == "__main__":
    main()
