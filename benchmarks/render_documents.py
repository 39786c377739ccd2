"""Benchmark: PDF rendering of the official documents (reports.documents.render); no database needed.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/render_documents.py --certificates 200

Renders N household certificates into one PDF (members 3 to 10 per household) and each other document once,
and prints wall time per document and per certificate. Target: well under one second per certificate.
Results go to docs/performance.md by hand.
"""

import argparse
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.formatting import number  # noqa: E402 - after the project is on the path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=200)
    args = parser.parse_args()

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
