"""Registers of LP, STTLP and SKTLK, under /dokumen/register/ in the "documents" namespace."""

from django.urls import path

from spkt.documents import register_views

urlpatterns = [
    path("<slug:kind>/", register_views.register, name="register"),
]
