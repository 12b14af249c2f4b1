import pytest
from django.core.exceptions import ValidationError

from spkt.core.nik import nik_decrypt, nik_encrypt, nik_hash, nik_mask, nik_validate


@pytest.mark.parametrize("nik", ["7571025506850003", "7571021203790002", "3174 0512 0390 0001"])
def test_it_accepts_well_formed_niks(nik: str) -> None:
    assert nik_validate(nik) == nik.replace(" ", "")


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("757102550685000", "nik_length"),
        ("75710255068500031", "nik_length"),
        ("75710255O6850003", "nik_digits"),
        ("７５７１０２５５０６８５０００３", "nik_digits"),  # full-width digits
        ("9971025506850003", "nik_province"),
        ("7500025506850003", "nik_region"),
        ("7571003506850003", "nik_region"),
        ("7571023506850003", "nik_day"),  # day 35: neither 01–31 nor 41–71
        ("7571027506850003", "nik_day"),
        ("7571025513850003", "nik_month"),
        ("7571025506850000", "nik_serial"),
    ],
)
def test_it_rejects_malformed_niks_with_a_reason(nik: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        nik_validate(nik)
    assert exc.value.code == code


def test_women_have_forty_added_to_the_day() -> None:
    assert nik_validate("7571024708990001")  # 47 = 7th, female


def test_it_masks_birth_date_and_serial() -> None:
    assert nik_mask("7571025506850003") == "757102********03"


def test_encryption_round_trips_and_is_not_plaintext() -> None:
    token = nik_encrypt("7571025506850003")
    assert "7571025506850003" not in token
    assert nik_decrypt(token) == "7571025506850003"


def test_hash_is_keyed(settings) -> None:
    first = nik_hash("7571025506850003")
    settings.NIK_HASH_KEY = "another-key"
    assert nik_hash("7571025506850003") != first
