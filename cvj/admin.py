from __future__ import annotations

from django.contrib import admin

from .models import Agency, Invitation, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency", "role", "business")
    list_filter = ("role", "agency")
    search_fields = ("user__username", "user__email")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "agency", "role", "created_at", "expires_at", "accepted_at")
    list_filter = ("role", "agency")
    search_fields = ("email",)
    readonly_fields = ("secret_hash",)
