from django.urls import path

from tandem.assessment import views

app_name = "assessment"
urlpatterns = [
    path("<uuid:public_id>/", views.overview, name="overview"),
    path("<uuid:public_id>/domain/<slug:domain>/", views.domain_entry, name="domain"),
    path("<uuid:public_id>/instrument/<slug:instrument_id>/", views.instrument_entry, name="instrument"),
]
