from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "tandem.careplans"
    label = "careplans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tandem.careplans import signals

        signals.connect()
