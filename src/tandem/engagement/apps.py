from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "tandem.engagement"
    label = "engagement"
    default_auto_field = "django.db.models.BigAutoField"
