"""Benchmark: each Excel export as the officer's request answers it (the file at once, or the redirect to its job),
then, for a job, the worker's replay of the same request (core.exports), on a large database; nothing is written.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python benchmarks/exports_in_request.py --database gn_rv --user xa.iarsai [URL ...]

Everything runs in one transaction rolled back at the end: the sign-in, the job row a large export queues (its
Celery message is sent on commit, so never) and the replay, which writes the workbook to a temporary file, measured
and removed. Without URLs, the exports of ``URLS``. One call each (an export is seconds to minutes: no best of
two). The numbers go to docs/performance.md by hand.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

URLS = [
    "/ho-gia-dinh/xuat-excel/",
    "/ho-gia-dinh/xuat-excel/?q=nguyen",
    "/ho-gia-dinh/xuat-excel/?q=le",
    "/ra-soat/lan-trinh/1/danh-sach.xlsx",
    "/chuong-trinh/chinh-sach/8/?xuat=xlsx",
    "/chuong-trinh/chinh-sach/13/?xuat=xlsx",
    "/chuong-trinh/chinh-sach/17/?xuat=xlsx",
    "/chuong-trinh/chinh-sach/11/?xuat=xlsx",
    "/chuong-trinh/bao-phu/ho-ngheo-chua-ho-tro/?xuat=xlsx",
    "/chuong-trinh/bao-phu/chua-co-the-bhyt/?xuat=xlsx",
    "/chuong-trinh/bao-phu/nha-o/?xuat=xlsx",
    "/chuong-trinh/bao-phu/dang-ky-thoat-ngheo/?xuat=xlsx",
    "/chuong-trinh/bhyt/?xuat=xlsx",
    "/chuong-trinh/tien-dien/?xuat=xlsx",
    "/chuong-trinh/so-lieu/?xuat=xlsx",
    "/ho-gia-dinh/bien-dong/xuat-excel/",
]


class RolledBack(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--user", default="xa.iarsai")
    parser.add_argument("urls", nargs="*")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DATABASE_URL"] = f"{os.environ['DATABASE_URL'].rsplit('/', 1)[0]}/{args.database}"

    import logging
    import warnings

    import django

    django.setup()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import translation

    from accounts.models import User
    from core.exports import _replayed_request, no_progress
    from core.models import JobRun

    try:
        with transaction.atomic():
            client = Client()
            client.force_login(User.objects.get(username=args.user))
            for url in args.urls or URLS:
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url)
                    took = time.perf_counter() - start
                body = b"".join(response.streaming_content) if response.streaming else response.content
                line = f"{took * 1000:8.0f} ms {len(queries):3d} q {response.status_code} {len(body) // 1024:6d} KB"
                if response.status_code == 302 and "/cong-viec/" in response["Location"]:
                    job = JobRun.objects.order_by("-pk").first()
                    with tempfile.TemporaryDirectory() as folder:
                        path = Path(folder) / "export.xlsx"
                        request, match = _replayed_request(job, path, no_progress)
                        with translation.override(job.params.get("language") or "vi"):
                            start = time.perf_counter()
                            match.func(request, *match.args, **match.kwargs)
                            replay = time.perf_counter() - start
                        size = path.stat().st_size // 1024
                        line += f"  job: the worker's replay {replay * 1000:8.0f} ms {size:6d} KB"
                print(f"{line}  {url}", flush=True)
            raise RolledBack
    except RolledBack:
        pass


if __name__ == "__main__":
    main()
