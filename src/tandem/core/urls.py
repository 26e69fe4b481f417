from django.urls import path

from tandem.core import views

app_name = "core"
urlpatterns = [path("audit/", views.audit_list, name="audit-list")]
