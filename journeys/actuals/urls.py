from __future__ import annotations

from django.urls import path

from . import views

# Global names with an actuals_ prefix, like every other URL of the project (the authorization
# matrix and the fuzz reverse them by name).
urlpatterns = [
    path("journeys/<int:pk>/actuals/", views.actuals_page, name="actuals_page"),
    path("journeys/<int:pk>/actuals/import/", views.actuals_import, name="actuals_import"),
    path("journeys/<int:pk>/actuals.csv", views.actuals_csv_download, name="actuals_csv"),
    path("journeys/<int:pk>/actuals.json", views.actuals_json, name="actuals_json"),
    path("journeys/<int:pk>/actuals/scorecard/", views.scorecard_part, name="actuals_scorecard"),
    path("journeys/<int:pk>/actuals/review.pdf", views.review_pdf, name="actuals_review_pdf"),
    path(
        "journeys/<int:pk>/actuals/access/",
        views.client_access_save,
        name="actuals_client_access",
    ),
]
