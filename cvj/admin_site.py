"""Django admin is for the operators of the installation, never for an agency's own staff.

Agency admins run their agency through the app (library, team, agency settings), where every
lookup is scoped to their agency. Django admin sees every agency's rows, so only superusers
(created with `manage.py createsuperuser`) may use it; `is_staff` alone is not enough.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class OperatorAdminSite(admin.AdminSite):
    site_header = "CVJ Mapper — operators"

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser


class OperatorAdminConfig(AdminConfig):
    default_site = "cvj.admin_site.OperatorAdminSite"
