"""URLs of the emulation movement (thi đua): movements, criteria, evaluations, nominations, awards, results."""

from django.urls import path  # noqa: F401  (patterns are appended by each part of the movement)

from . import views_awards, views_evaluation, views_movements, views_results

app_name = "emulation"

urlpatterns = []

# Movements, their criteria per level, evaluations and qualitative assessments.
urlpatterns += [
    path("", views_movements.MovementListView.as_view(), name="movement_list"),
    path("them/", views_movements.MovementCreateView.as_view(), name="movement_create"),
    path("<int:pk>/", views_movements.MovementDetailView.as_view(), name="movement_detail"),
    path("<int:pk>/sua/", views_movements.MovementUpdateView.as_view(), name="movement_update"),
    path("<int:pk>/tieu-chi/mau/", views_movements.CriteriaTemplateView.as_view(), name="movement_criteria_template"),
    path("<int:pk>/tieu-chi/", views_movements.CriterionFormView.as_view(), name="movement_criterion"),
    path("<int:pk>/danh-gia/", views_evaluation.EvaluationListView.as_view(), name="evaluation_list"),
    path("danh-gia/<int:pk>/", views_evaluation.EvaluationDetailView.as_view(), name="evaluation_detail"),
    path("danh-gia/dang-tinh/<int:pk>/", views_evaluation.EvaluationJobView.as_view(), name="evaluation_job"),
    path("danh-gia/<int:pk>/dinh-tinh/", views_evaluation.AssessmentView.as_view(), name="evaluation_assessment"),
]

# Movement results (kết quả phong trào) per unit and year, and their roll-up.
urlpatterns += [
    path("<int:pk>/ket-qua/", views_results.ResultRollupView.as_view(), name="results"),
    path(
        "<int:pk>/ket-qua/<int:unit>/<int:year>/",
        views_results.ResultEditView.as_view(),
        name="result_edit",
    ),
]

# Nominations (đề nghị khen thưởng), award decisions, the award register and typical examples.
urlpatterns += [
    path("de-nghi/", views_awards.NominationListView.as_view(), name="nominations"),
    path("de-nghi/moi/", views_awards.NominationCreateView.as_view(), name="nomination_create"),
    path("de-nghi/<int:pk>/", views_awards.NominationDetailView.as_view(), name="nomination_detail"),
    path("de-nghi/<int:pk>/sua/", views_awards.NominationUpdateView.as_view(), name="nomination_update"),
    path("de-nghi/<int:pk>/minh-chung/", views_awards.NominationEvidenceView.as_view(), name="nomination_evidence"),
    path(
        "de-nghi/minh-chung/<int:pk>/",
        views_awards.NominationEvidenceFileView.as_view(),
        name="nomination_evidence_file",
    ),
    path("de-nghi/<int:pk>/trinh/", views_awards.NominationSubmitView.as_view(), name="nomination_submit"),
    path("de-nghi/<int:pk>/xet/", views_awards.NominationReviewView.as_view(), name="nomination_review"),
    path("de-nghi/<int:pk>/khong-khen/", views_awards.NominationRejectView.as_view(), name="nomination_reject"),
    path("quyet-dinh/", views_awards.DecisionListView.as_view(), name="decisions"),
    path("quyet-dinh/moi/", views_awards.DecisionCreateView.as_view(), name="decision_create"),
    path("quyet-dinh/<int:pk>/", views_awards.DecisionDetailView.as_view(), name="decision_detail"),
    path("quyet-dinh/<int:pk>/pdf/", views_awards.DecisionPdfView.as_view(), name="decision_pdf"),
    path("so-khen-thuong/", views_awards.RegisterView.as_view(), name="register"),
    path("so-khen-thuong/excel/", views_awards.RegisterExportView.as_view(), name="register_export"),
    path("dien-hinh/", views_awards.ExampleListView.as_view(), name="examples"),
    path("dien-hinh/moi/", views_awards.ExampleCreateView.as_view(), name="example_create"),
]
