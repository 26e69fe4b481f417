from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "tandem.synth"
    label = "synth"
    default_auto_field = "django.db.models.BigAutoField"
