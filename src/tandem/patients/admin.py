from django.contrib import admin

from tandem.core.admin import AdminRoleModelAdmin
from tandem.patients.models import PrimaryCarePractice


@admin.register(PrimaryCarePractice)
class PrimaryCarePracticeAdmin(AdminRoleModelAdmin):
    search_fields = ["name", "npi"]
    list_display = ["name", "npi", "phone"]
