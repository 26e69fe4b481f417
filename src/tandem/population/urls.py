from django.urls import path

from tandem.population import views

app_name = "population"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/<int:run_id>/", views.run_detail, name="run-detail"),
    path("runs/<int:run_id>/export.csv", views.run_export, name="run-export"),
]
