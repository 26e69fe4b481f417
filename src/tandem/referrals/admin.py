from django.contrib import admin

from tandem.core.admin import AdminRoleModelAdmin
from tandem.referrals.models import CommunityResource


@admin.register(CommunityResource)
class CommunityResourceAdmin(AdminRoleModelAdmin):
    list_display = ["name", "category", "area", "phone", "active"]
    list_filter = ["category", "active"]
    search_fields = ["name", "area"]
