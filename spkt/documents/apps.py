from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "spkt.documents"
    label = "documents"

    def ready(self) -> None:
        # The services module registers this app's ledgered models and kinds; verify_ledger in a
        # fresh process must know them all, or a missing record would go unnoticed.
        from spkt.documents import services  # noqa: F401
