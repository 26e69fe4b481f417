from django.urls import path

from tandem.caseload import views, views_team

app_name = "caseload"
urlpatterns = [
    path("worklist/", views_team.worklist, name="worklist"),
    path("dashboard/", views_team.caseload_dashboard, name="dashboard"),
    path("conferences/", views_team.conference_list, name="conferences"),
    path("conferences/<int:pk>/", views_team.conference_detail, name="conference"),
    path("conferences/<int:pk>/build/", views_team.conference_build, name="conference-build"),
    path("conferences/<int:pk>/held/", views_team.conference_held, name="conference-held"),
    path("conferences/<int:pk>/items/<int:item_id>/", views_team.agenda_item, name="agenda-item"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task-done"),
    path("patients/<uuid:public_id>/contacts/new/", views.contact_new, name="contact-new"),
    path("patients/<uuid:public_id>/care-events/new/", views.care_event_new, name="care-event-new"),
    path("patients/<uuid:public_id>/tier/", views.tier_change, name="tier"),
    path("patients/<uuid:public_id>/reassign/", views.reassign, name="reassign"),
    path("patients/<uuid:public_id>/flag/", views.flag_new, name="flag"),
    path("patients/<uuid:public_id>/graduate/", views.graduate, name="graduate"),
    path(
        "patients/<uuid:public_id>/graduation/<int:handoff_id>/certificate/",
        views.certificate,
        name="certificate",
    ),
]
