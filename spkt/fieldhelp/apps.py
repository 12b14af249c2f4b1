from django.apps import AppConfig


class FieldhelpConfig(AppConfig):
    name = "spkt.fieldhelp"
    label = "fieldhelp"

    def ready(self) -> None:
        from spkt.core.pollers import register_poller
        from spkt.documents.services import ISSUED_HOOKS
        from spkt.fieldhelp.clock import report_sweep
        from spkt.fieldhelp.handoff import lp_issued

        register_poller(report_sweep)  # the hourly situation reports (intake clock)

        if lp_issued not in ISSUED_HOOKS:
            ISSUED_HOOKS.append(lp_issued)
