from django.urls import path

from . import views

app_name = "areas"

urlpatterns = [
    path("", views.UnitListView.as_view(), name="list"),
    path("xuat-excel/", views.UnitExportView.as_view(), name="export"),
    path("them/", views.UnitCreateView.as_view(), name="create"),
    path("<int:pk>/", views.UnitDetailView.as_view(), name="detail"),
    path("<int:pk>/sua/", views.UnitUpdateView.as_view(), name="update"),
]
