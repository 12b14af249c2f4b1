from django.apps import AppConfig


class IkmConfig(AppConfig):
    """The public satisfaction survey (IKM/SKM, PermenPANRB 14/2017)."""

    name = "spkt.reports.ikm"
    label = "ikm"
    verbose_name = "IKM"
