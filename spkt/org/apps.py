from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "spkt.org"
    label = "org"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from spkt.org.secondfactor import session_end_on_login

        user_logged_in.connect(session_end_on_login, dispatch_uid="spkt.org.session_end")
