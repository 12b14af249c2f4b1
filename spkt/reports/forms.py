from django import forms
from django.utils.translation import gettext_lazy as _

from spkt.reports.selectors import SITUATION_DEFAULT
from spkt.reports.services import MAX_TEXT


class SubmitForm(forms.Form):
    situation = forms.CharField(
        label=_("Situasi"),
        max_length=MAX_TEXT,
        initial=SITUATION_DEFAULT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    remarks = forms.CharField(
        label=_("Catatan"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    matters = forms.CharField(
        label=_("Hal untuk pimpinan"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcknowledgeForm(forms.Form):
    disposisi = forms.CharField(
        label=_("Disposisi / perintah (boleh kosong)"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label=_("Adendum"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
