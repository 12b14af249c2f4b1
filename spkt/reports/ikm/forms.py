from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from spkt.reports.ikm.models import SCORE_FIELDS, AgeBand, Education, Gender, Occupation
from spkt.reports.ikm.questions import ELEMENT_NAMES, QUESTIONS
from spkt.reports.ikm.services import COMMENT_MAX, Answer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django_stubs_ext import StrOrPromise


def _score_field(number: int) -> forms.TypedChoiceField:
    question, answers = QUESTIONS[number - 1]
    return forms.TypedChoiceField(
        label=question,
        help_text=ELEMENT_NAMES[number - 1],
        choices=[(str(i), label) for i, label in enumerate(answers, start=1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih salah satu jawaban."),
            "invalid_choice": _("Jawaban harus 1 sampai 4."),
        },
    )


def _profile_field(
    label: StrOrPromise, choices: Iterable[tuple[str, StrOrPromise]]
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", _("— tidak diisi —")), *choices],
        required=False,
        error_messages={"invalid_choice": _("Pilihan tidak dikenal.")},
    )


class SurveyForm(forms.Form):
    """The nine questions, an optional profile and a comment; nothing that names the person."""

    gender = _profile_field(_("Jenis kelamin"), Gender.choices)
    age_band = _profile_field(_("Usia"), AgeBand.choices)
    education = _profile_field(_("Pendidikan terakhir"), Education.choices)
    occupation = _profile_field(_("Pekerjaan"), Occupation.choices)
    comment = forms.CharField(
        label=_("Saran dan masukan"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Saran terlalu panjang (maksimal 2000 karakter).")},
    )
    complaint = forms.BooleanField(
        label=_("Ini pengaduan — saya ingin ditindaklanjuti"), required=False
    )
    reply_to = forms.CharField(
        label=_("Nomor HP atau email untuk jawaban (boleh dikosongkan)"),
        required=False,
        max_length=120,
        error_messages={"max_length": _("Kontak terlalu panjang (maksimal 120 karakter).")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scores = {name: _score_field(i) for i, name in enumerate(SCORE_FIELDS, start=1)}
        self.fields = {**scores, **self.fields}

    @property
    def score_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SCORE_FIELDS]

    @property
    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("gender", "age_band", "education", "occupation")]

    def clean(self) -> dict:
        data = super().clean() or self.cleaned_data
        if data.get("complaint") and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Tuliskan pengaduan Anda di sini."))
        if not data.get("complaint"):
            data["reply_to"] = ""  # a contact is kept only for a complaint
        return data

    def answer(self) -> Answer:
        d = self.cleaned_data
        return Answer(
            scores=[d[name] for name in SCORE_FIELDS],
            gender=d["gender"],
            age_band=d["age_band"],
            education=d["education"],
            occupation=d["occupation"],
            comment=d["comment"],
            complaint=d["complaint"],
            reply_to=d["reply_to"],
        )
