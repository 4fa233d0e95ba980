from __future__ import annotations

from django.urls import path

from . import views

app_name = "actuals"

urlpatterns = [
    path("journeys/<int:pk>/actuals/", views.actuals_page, name="actuals_page"),
    path("journeys/<int:pk>/actuals/import/", views.actuals_import, name="actuals_import"),
    path("journeys/<int:pk>/actuals.csv", views.actuals_csv_download, name="actuals_csv"),
    path("journeys/<int:pk>/actuals.json", views.actuals_json, name="actuals_json"),
    path("journeys/<int:pk>/actuals/scorecard/", views.scorecard_part, name="scorecard_part"),
    path("journeys/<int:pk>/actuals/review.pdf", views.review_pdf, name="review_pdf"),
    path("journeys/<int:pk>/actuals/access/", views.client_access_save, name="client_access"),
]
