"""Health checks of the services the portal depends on, for the system-status page and the check job."""

import shutil
import subprocess
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

# Beat sends a heartbeat every 60 s; three missed beats means the worker or beat is down.
HEARTBEAT_MAX_AGE = timedelta(minutes=3)


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def check_database() -> Check:
    name = _("Cơ sở dữ liệu PostgreSQL")
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('server_version'), pg_size_pretty(pg_database_size(current_database()))"
            )
            version, size = cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - reported, not raised: this is the status page
        return Check("database", name, False, str(exc))
    return Check(
        "database",
        name,
        True,
        _("Phiên bản %(version)s, dung lượng %(size)s") % {"version": version, "size": size},
    )


def check_redis() -> Check:
    name = _("Redis (hàng đợi và bộ nhớ đệm)")
    try:
        client = cache._cache.get_client(write=True)  # the redis-py client behind Django's RedisCache
        info = client.info("server")
        key = f"core:health:{uuid.uuid4().hex}"
        cache.set(key, "ok", timeout=10)
        assert cache.get(key) == "ok"
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        return Check("redis", name, False, str(exc))
    return Check("redis", name, True, _("Phiên bản %(version)s") % {"version": info.get("redis_version", "?")})


def check_workers(timeout: float = 1.0) -> Check:
    from config.celery import app

    name = _("Tiến trình xử lý nền (Celery worker)")
    try:
        replies = app.control.ping(timeout=timeout) or []
    except Exception as exc:  # noqa: BLE001
        return Check("workers", name, False, str(exc))
    workers = sorted(name for reply in replies for name in reply)
    if not workers:
        return Check("workers", name, False, _("Không có tiến trình nào trả lời."))
    return Check("workers", name, True, _("Đang chạy: %(workers)s") % {"workers": ", ".join(workers)})


def last_heartbeat() -> datetime | None:
    from .tasks import HEARTBEAT_KEY

    try:
        value = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001
        return None
    return parse_datetime(value) if value else None


def check_heartbeat() -> Check:
    name = _("Nhịp hoạt động (Celery beat → worker)")
    beat = last_heartbeat()
    if beat is None:
        return Check("heartbeat", name, False, _("Chưa nhận được nhịp nào."))
    age = timezone.now() - beat
    when = timezone.localtime(beat).strftime("%H:%M:%S %d/%m/%Y")
    detail = _("Lần cuối lúc %(when)s") % {"when": when}
    return Check("heartbeat", name, age <= HEARTBEAT_MAX_AGE, detail)


def check_media_storage() -> Check:
    name = _("Thư mục lưu tệp (media)")
    path = f"system-check/{uuid.uuid4().hex}.txt"
    try:
        saved = default_storage.save(path, ContentFile(b"ok"))
        default_storage.delete(saved)
    except Exception as exc:  # noqa: BLE001
        return Check("media", name, False, str(exc))
    return Check("media", name, True, _("Ghi và xoá tệp thử thành công."))


def check_pdf_rendering() -> Check:
    """Render a Vietnamese sentence to PDF with WeasyPrint and list the fonts that cover Vietnamese."""
    name = _("Xuất văn bản PDF tiếng Việt (WeasyPrint)")
    try:
        from weasyprint import HTML

        pdf = HTML(string="<p style='font-family: serif'>Cộng hòa xã hội chủ nghĩa Việt Nam</p>").write_pdf()
    except Exception as exc:  # noqa: BLE001
        return Check("pdf", name, False, str(exc))
    families = _vietnamese_font_families()
    if not families:
        return Check("pdf", name, False, _("Không tìm thấy phông chữ có dấu tiếng Việt trên máy chủ."))
    detail = _("Tạo PDF %(size)s byte; phông tiếng Việt: %(fonts)s") % {
        "size": f"{len(pdf):,}".replace(",", "."),
        "fonts": ", ".join(families[:4]),
    }
    return Check("pdf", name, True, detail)


def _vietnamese_font_families() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    out = subprocess.run(["fc-list", ":lang=vi", "family"], capture_output=True, text=True, timeout=20).stdout
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


def system_status() -> list[Check]:
    """What the status page shows on every load: quick checks only."""
    return [check_database(), check_redis(), check_workers(), check_heartbeat()]
