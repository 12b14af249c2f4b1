from django.apps import AppConfig


class FieldhelpConfig(AppConfig):
    name = "spkt.fieldhelp"
    label = "fieldhelp"
