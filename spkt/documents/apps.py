from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "spkt.documents"
    label = "documents"
