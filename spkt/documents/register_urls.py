"""Registers of LP, STTLP and SKTLK (written by the registers module)."""

urlpatterns: list = []
