from django.contrib import admin

from tandem.core.admin import AdminRoleModelAdmin
from tandem.programs.models import Program


@admin.register(Program)
class ProgramAdmin(AdminRoleModelAdmin):
    list_display = ["name", "slug", "active"]
    prepopulated_fields = {"slug": ["name"]}
