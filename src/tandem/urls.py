"""URL map. Patient pages are addressed by an opaque UUID, never by name or member id."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tandem.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("patients/", include("tandem.patients.urls")),
    path("engagement/", include("tandem.engagement.urls")),
    path("referrals/", include("tandem.referrals.urls")),
    path("assessment/", include("tandem.assessment.urls")),
    path("population/", include("tandem.population.urls")),
    path("careplans/", include("tandem.careplans.urls")),
    path("caseload/", include("tandem.caseload.urls")),
    path("manage/", include("tandem.accounts.urls")),
    path("manage/", include("tandem.core.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "tandem.core.views.permission_denied"
