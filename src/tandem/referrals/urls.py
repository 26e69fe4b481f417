from django.urls import path

from tandem.referrals import group_views, views

app_name = "referrals"
urlpatterns = [
    path("resources/", views.directory, name="directory"),
    path("follow-ups/", views.follow_ups, name="follow-ups"),
    path("patients/<uuid:public_id>/", views.patient_referrals, name="patient"),
    path("patients/<uuid:public_id>/refer/<int:resource_id>/", views.refer, name="refer"),
    path("patients/<uuid:public_id>/<int:referral_id>/status/", views.update_status, name="status"),
    path(
        "patients/<uuid:public_id>/<int:referral_id>/follow-up/", views.move_follow_up, name="move-follow-up"
    ),
    path("patients/<uuid:public_id>/groups/join/", views.join_group, name="join-group"),
    path("groups/", group_views.group_list, name="groups"),
    path("groups/new/", group_views.group_form, name="group-new"),
    path("groups/<int:pk>/", group_views.group_detail, name="group"),
    path("groups/<int:pk>/edit/", group_views.group_form, name="group-edit"),
    path("groups/<int:pk>/members/add/", group_views.add_member, name="add-member"),
    path("groups/<int:pk>/meetings/new/", group_views.record_meeting, name="meeting-new"),
    path("groups/<int:pk>/members/<int:membership_id>/leave/", group_views.leave_group, name="leave-group"),
    path("manage/resources/", views.manage_resources, name="manage-list"),
    path("manage/resources/new/", views.resource_form, name="manage-new"),
    path("manage/resources/<int:pk>/", views.resource_form, name="manage-edit"),
    path("manage/resources/<int:pk>/active/", views.resource_active, name="manage-active"),
]
