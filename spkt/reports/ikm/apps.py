from django.apps import AppConfig


class IkmConfig(AppConfig):
    """The public satisfaction survey (IKM/SKM, PermenPANRB 14/2017)."""

    name = "spkt.reports.ikm"
    label = "ikm"
    verbose_name = "IKM"

    def ready(self) -> None:
        from spkt.documents.services import register_issue_extra
        from spkt.reports.ikm.services import document_survey

        # The citizen's SKTLK/STTLP prints the survey's link (documents.services.IssueExtra).
        register_issue_extra(document_survey)

        from spkt.intake.services import register_closing_hook
        from spkt.reports.ikm.services import closing_invitation_text

        # The closing reply of a contact carries the survey's link (intake.services.contact_close).
        register_closing_hook(closing_invitation_text)
