from django.urls import path

from tandem.patients import views

app_name = "patients"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/contact/", views.edit_contact, name="edit-contact"),
    path("<uuid:public_id>/related/new/", views.related_person_form, name="related-new"),
    path("<uuid:public_id>/related/<int:pk>/", views.related_person_form, name="related-edit"),
]
