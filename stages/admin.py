from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Stage, Tactic, TacticHidden


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("position", "name", "slug", "default_metric", "suggested_minutes")
    ordering = ("position",)
    readonly_fields = ("position", "slug")

    # The eight stages are fixed: help text may be polished, nothing added or removed.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Stage | None = None) -> bool:
        return False


@admin.register(Tactic)
class TacticAdmin(admin.ModelAdmin):
    list_display = ("name", "stage", "channel", "commitment", "audience", "agency", "is_active")
    list_filter = ("stage", "channel", "agency", "is_active", "audience", "commitment")
    search_fields = ("name", "description")
    ordering = ("stage__position", "position", "name")
    list_select_related = ("stage", "agency")
    list_editable = ("is_active",)


@admin.register(TacticHidden)
class TacticHiddenAdmin(admin.ModelAdmin):
    list_display = ("tactic", "agency", "created_at")
    list_filter = ("agency",)
    list_select_related = ("tactic", "agency")
    raw_id_fields = ("tactic",)
    search_fields = ("tactic__name", "agency__name")
