"""URLs of the emulation movement (thi đua): movements, criteria, evaluations, nominations, awards, results."""

from django.urls import path  # noqa: F401  (patterns are appended by each part of the movement)

app_name = "emulation"

urlpatterns = []
