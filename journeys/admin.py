from __future__ import annotations

from django.contrib import admin

from .models import Business, Journey, JourneyStage, Offer, Persona, StageOffer, StageTactic


class PersonaInline(admin.StackedInline):
    model = Persona
    extra = 0


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0


@admin.register(Business)
class BusinessAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "industry", "kind")
    list_filter = ("agency", "kind")
    search_fields = ("name", "industry")
    inlines = [PersonaInline, OfferInline]


@admin.register(Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ("name", "business", "awareness_level")
    list_filter = ("awareness_level",)
    search_fields = ("name", "business__name")


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ("name", "business", "kind", "price", "currency")
    list_filter = ("kind",)
    search_fields = ("name", "business__name")


class JourneyStageInline(admin.StackedInline):
    model = JourneyStage
    extra = 0
    can_delete = False
    fields = ("stage", "goal", "metric", "target_conversion", "notes")
    readonly_fields = ("stage",)

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ("title", "business", "persona", "status", "version", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "business__name")
    inlines = [JourneyStageInline]
    readonly_fields = ("version",)


@admin.register(StageTactic)
class StageTacticAdmin(admin.ModelAdmin):
    list_display = ("__str__", "journey_stage", "channel", "position", "removed_at")
    search_fields = ("custom_name", "tactic__name")

    def get_queryset(self, request):  # noqa: ANN001, ANN201
        return StageTactic.all_objects.select_related("tactic", "journey_stage__stage")


@admin.register(StageOffer)
class StageOfferAdmin(admin.ModelAdmin):
    list_display = ("offer", "journey_stage", "position")
