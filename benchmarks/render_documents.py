"""Benchmark: PDF rendering of the official documents (reports.documents.render); no database needed.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/render_documents.py --certificates 200

Renders N household certificates into one PDF (members 3 to 10 per household) and each other document once,
and prints wall time per document and per certificate. Target: well under one second per certificate.
Results go to docs/performance.md by hand.

Memory of long documents, one fresh process per measurement (peak RSS is the process's ``ru_maxrss``):

    .venv/bin/python benchmarks/render_documents.py --memory --sizes 100 1000 5000 --modes before after

"before" renders every certificate (or every row of a posted list or of a decision's lists) in one WeasyPrint call,
as the request did; "after" renders batches joined by pypdf (reports/documents/batches.py), as the background job
does (``--documents decision`` for a recognition decision whose two lists name SIZE households).
``--limit-mb`` caps a measurement's address space so that "before" at 5.000 fails instead of swapping.
"""

import argparse
import dataclasses
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.formatting import number  # noqa: E402 - after the project is on the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def long_rows(households: int, start: int = 1) -> tuple:
    from reports.documents.data import HouseholdRow

    return tuple(
        HouseholdRow(
            i, f"24079-01-{i:05d}", f"Ksor Y Hộ {i}", f"Buôn {i % 12}", 1 + i % 7, i % 3 > 0, "Hộ nghèo", (), ""
        )
        for i in range(start, start + households)
    )


def long_posting(samples, households: int):
    from reports.documents.data import HouseholdList

    lists = (HouseholdList("Danh sách hộ nghèo", long_rows(households)),)
    return dataclasses.replace(samples.posting_list(), lists=lists)


def long_decision(samples, households: int):
    """A decision whose appendices name ``households``: four in five poor, the rest near-poor (a commune's year)."""
    from reports.documents.data import HouseholdList

    poor = households * 4 // 5
    return samples.decision(
        lists=(
            HouseholdList("Danh sách hộ nghèo năm 2027", long_rows(poor)),
            HouseholdList("Danh sách hộ cận nghèo năm 2027", long_rows(households - poor)),
        )
    )


def measure_one(document: str, mode: str, size: int) -> dict:
    """One measurement in this process: setup and warm-up, then the document; prints a JSON line."""
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from pypdf import PdfReader

    from reports.documents import batches, render
    from tests.reports import samples

    render.certificates_pdf([samples.certificate()])  # warm up: template loading, font parsing
    base = rss_mb()
    folder = Path(tempfile.mkdtemp(prefix="render-bench-"))
    target = folder / "out.pdf"
    start, cpu = time.perf_counter(), time.process_time()
    if document == "certificates":
        certificates = (samples.certificate(i, 3 + i % 8) for i in range(1, size + 1))
        if mode == "before":
            target.write_bytes(render.certificates_pdf(list(certificates)))
        else:
            batches.write_certificates_pdf(certificates, target, total=size)
    elif document == "decision":
        decision = long_decision(samples, size)
        if mode == "before":
            target.write_bytes(render.decision_pdf(decision))
        else:
            batches.write_decision_pdf(decision, target)
    else:
        posting = long_posting(samples, size)
        if mode == "before":
            target.write_bytes(render.posting_list_pdf(posting))
        else:
            batches.write_posting_list_pdf(posting, target)
    result = {
        "document": document,
        "mode": mode,
        "size": size,
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "rss_base_mb": base,
        "rss_peak_mb": rss_mb(),
        "pages": len(PdfReader(target).pages),
        "file_mb": target.stat().st_size / 1024 / 1024,
    }
    target.unlink()
    folder.rmdir()
    return result


def measure_join(parts: int) -> dict:
    """Peak memory of joining ``parts`` copies of one 100-certificate batch with pypdf (batches.join_pdfs), without
    laying out the pages again: the join is the part of the background job whose memory grows with the size."""
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    from reports.documents import batches, render
    from tests.reports import samples

    folder = Path(tempfile.mkdtemp(prefix="render-bench-"))
    part = folder / "part.pdf"
    part.write_bytes(render.certificates_pdf([samples.certificate(i, 3 + i % 8) for i in range(1, 101)]))
    copies = [folder / f"{n:05d}.pdf" for n in range(parts)]
    for copy in copies:
        copy.hardlink_to(part)
    base = rss_mb()
    start = time.perf_counter()
    pages = batches.join_pdfs(copies, folder / "out.pdf")
    result = {
        "document": "join only",
        "mode": "after",
        "size": pages,
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time(),
        "rss_base_mb": base,
        "rss_peak_mb": rss_mb(),
        "pages": pages,
        "file_mb": (folder / "out.pdf").stat().st_size / 1024 / 1024,
    }
    for path in [*copies, part, folder / "out.pdf"]:
        path.unlink()
    folder.rmdir()
    return result


def memory(args) -> None:
    print(f"load average before: {os.getloadavg()}", flush=True)
    heads = " ".join(f"{head:>8}" for head in ("s", "cpu s", "base MB", "peak MB"))
    print(f"{'document':<13} {'mode':<7} {'size':>6} {heads} {'pages':>6} {'MB':>6}")
    for document in args.documents:
        for size in args.sizes:
            for mode in args.modes:
                command = [
                    sys.executable,
                    __file__,
                    "--one",
                    document,
                    mode,
                    str(size),
                    "--limit-mb",
                    str(args.limit_mb),
                ]
                done = subprocess.run(command, capture_output=True, text=True)
                lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
                if done.returncode or not lines:
                    tail = (done.stderr.strip().splitlines() or ["?"])[-1]
                    print(f"{document:<13} {mode:<7} {size:>6} failed: {tail[:100]}", flush=True)
                    continue
                r = json.loads(lines[-1])
                print(
                    f"{document:<13} {mode:<7} {size:>6} {number(r['seconds'], 1):>8} {number(r['cpu'], 1):>8} "
                    f"{number(r['rss_base_mb'], 1):>8} {number(r['rss_peak_mb'], 1):>8} {r['pages']:>6} "
                    f"{number(r['file_mb'], 1):>6}",
                    flush=True,
                )
    print(f"load average after: {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=200)
    parser.add_argument("--memory", action="store_true", help="peak memory of long documents, before and after")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--modes", nargs="+", default=["before", "after"], choices=["before", "after"])
    parser.add_argument("--documents", nargs="+", default=["certificates", "posting"], help="… decision, or join")
    parser.add_argument("--limit-mb", type=int, default=6000, help="address-space cap of one measurement")
    parser.add_argument("--one", nargs=3, metavar=("DOCUMENT", "MODE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        limit = args.limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if args.one[0] == "join":  # size: certificates, joined from batches of 100
            print(json.dumps(measure_join(int(args.one[2]) // 100)))
        else:
            print(json.dumps(measure_one(args.one[0], args.one[1], int(args.one[2]))))
        return
    if args.memory:
        memory(args)
        return

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)

    from reports.documents import render
    from tests.reports import samples

    render.certificates_pdf([samples.certificate()])  # warm up: template loading, font parsing

    def timed(label: str, fn, count: int = 1) -> None:
        start = time.perf_counter()
        pdf = fn()
        elapsed = time.perf_counter() - start
        per = f", {number(elapsed / count * 1000)} ms each" if count > 1 else ""
        print(f"{label:<40} {number(elapsed, 2):>6} s{per}  ({number(len(pdf) / 1024)} KiB)")

    certificates = [samples.certificate(i, 3 + i % 8) for i in range(1, args.certificates + 1)]
    label = f"{args.certificates} certificates, one PDF"
    timed(label, lambda: render.certificates_pdf(certificates), len(certificates))
    timed("1 certificate", lambda: render.certificates_pdf(certificates[:1]))
    timed("decision + 3 appendices", lambda: render.decision_pdf(samples.decision()))
    timed("meeting minutes", lambda: render.minutes_pdf(samples.minutes()))
    timed("posting list", lambda: render.posting_list_pdf(samples.posting_list()))


if __name__ == "__main__":
    main()
