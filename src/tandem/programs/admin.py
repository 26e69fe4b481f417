from django.contrib import admin

from tandem.programs.models import Program

admin.site.register(Program, list_display=["name", "slug", "active"], prepopulated_fields={"slug": ["name"]})
