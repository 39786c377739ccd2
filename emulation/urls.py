"""URLs of the emulation movement (thi đua): movements, criteria, evaluations, nominations, awards, results."""

from django.urls import path  # noqa: F401  (patterns are appended by each part of the movement)

from . import views_results

app_name = "emulation"

urlpatterns = []

# Movement results (kết quả phong trào) per unit and year, and their roll-up.
urlpatterns += [
    path("<int:pk>/ket-qua/", views_results.ResultRollupView.as_view(), name="results"),
    path(
        "<int:pk>/ket-qua/<int:unit>/<int:year>/",
        views_results.ResultEditView.as_view(),
        name="result_edit",
    ),
]
