from django.apps import AppConfig


class FieldhelpConfig(AppConfig):
    name = "spkt.fieldhelp"
    label = "fieldhelp"

    def ready(self) -> None:
        from spkt.documents.services import ISSUED_HOOKS
        from spkt.fieldhelp.handoff import lp_issued

        if lp_issued not in ISSUED_HOOKS:
            ISSUED_HOOKS.append(lp_issued)
