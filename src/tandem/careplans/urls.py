from django.urls import path

from tandem.careplans import views, views_copy

app_name = "careplans"
urlpatterns = [
    path("<uuid:public_id>/", views.plan, name="plan"),
    path("<uuid:public_id>/start/", views.start, name="start"),
    path("<uuid:public_id>/status/", views.plan_status, name="plan-status"),
    path("<uuid:public_id>/history/", views.history, name="history"),
    path("<uuid:public_id>/print/", views_copy.print_view, name="print"),
    path("<uuid:public_id>/pdf/", views_copy.pdf_view, name="pdf"),
    path("<uuid:public_id>/goals/new/", views.goal_form, name="goal-new"),
    path("<uuid:public_id>/goals/<int:goal_id>/", views.goal_form, name="goal-edit"),
    path("<uuid:public_id>/goals/<int:goal_id>/move/", views.goal_move, name="goal-move"),
    path("<uuid:public_id>/goals/<int:goal_id>/status/", views.goal_status, name="goal-status"),
    path("<uuid:public_id>/goals/<int:goal_id>/check-in/", views.check_in, name="check-in"),
    path("<uuid:public_id>/goals/<int:goal_id>/backward/", views.backward_plan, name="backward"),
    path("<uuid:public_id>/goals/<int:goal_id>/steps/new/", views.step_form, name="step-new"),
    path("<uuid:public_id>/steps/<int:step_id>/", views.step_form, name="step-edit"),
    path("<uuid:public_id>/steps/<int:step_id>/status/", views.step_status, name="step-status"),
]
