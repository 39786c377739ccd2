"""Periodic district reports: figures -> renderers (PDF, DOCX, XLSX), Celery tasks and schedule."""
