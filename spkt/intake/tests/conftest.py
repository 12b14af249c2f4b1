"""A WhatsApp contact at Polsek Kota Selatan and one of another station (spkt/intake/tests/contacts.py)."""

from spkt.intake.tests.contacts import contact, other  # noqa: F401 (fixtures)
