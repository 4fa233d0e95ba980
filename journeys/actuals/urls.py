from __future__ import annotations

app_name = "actuals"

urlpatterns: list = []
