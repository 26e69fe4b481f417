from django.contrib import admin

from tandem.patients.models import PrimaryCarePractice

admin.site.register(PrimaryCarePractice, search_fields=["name", "npi"], list_display=["name", "npi", "phone"])
