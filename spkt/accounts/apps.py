from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff sign-in after the password: the second factor, its pages and middleware, sessions
    that end with the shift, and the menu a signed-in user sees. No models of its own: users and
    roles are ``spkt.org``'s, the devices django-otp's. It sits above ``spkt.dutylog`` (a session
    ends with the shift the officer is on duty in), so ``spkt.org`` stays at the bottom."""

    name = "spkt.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from spkt.accounts.secondfactor import session_end_on_login

        user_logged_in.connect(session_end_on_login, dispatch_uid="spkt.accounts.session_end")
