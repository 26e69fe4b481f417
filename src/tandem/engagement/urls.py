from django.urls import path

from tandem.engagement import views

app_name = "engagement"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("patients/<uuid:public_id>/referrals/new/", views.new_referral, name="referral-new"),
    path("patients/<uuid:public_id>/episodes/<int:episode_id>/attempt/", views.attempt, name="attempt"),
    path("patients/<uuid:public_id>/episodes/<int:episode_id>/assign/", views.assign, name="assign"),
    path(
        "patients/<uuid:public_id>/episodes/<int:episode_id>/reapproach/", views.reapproach, name="reapproach"
    ),
    path("patients/<uuid:public_id>/episodes/<int:episode_id>/review/", views.review, name="review"),
    path("patients/<uuid:public_id>/episodes/<int:episode_id>/enroll/", views.enroll, name="enroll"),
]
