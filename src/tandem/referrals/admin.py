"""Django admin for the directory and peer groups (reference data only: no patient records here)."""

from django.contrib import admin

from tandem.core.admin import AdminRoleModelAdmin
from tandem.referrals.models import CommunityResource, PeerGroup


@admin.register(CommunityResource)
class CommunityResourceAdmin(AdminRoleModelAdmin):
    list_display = ["name", "category", "area", "zip_codes", "phone", "active"]
    list_filter = ["category", "active"]
    search_fields = ["name", "area", "zip_codes"]


@admin.register(PeerGroup)
class PeerGroupAdmin(AdminRoleModelAdmin):
    list_display = ["name", "focus", "schedule", "area", "active"]
    list_filter = ["active"]
    search_fields = ["name", "focus", "area"]
    filter_horizontal = ["staff_leaders"]
