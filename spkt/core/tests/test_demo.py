from spkt.core.ledger import verify
from spkt.demo import seed_all
from spkt.documents.models import DocType, Document
from spkt.dutylog.models import Handover, Mutasi, Shift, ShiftStatus


def test_the_demo_data_loads_once_and_verifies(db) -> None:
    first = seed_all()
    assert "new demo documents" in first
    count = Document.objects.count()
    assert seed_all().endswith("0 new demo documents")
    assert Document.objects.count() == count
    assert Document.objects.filter(doc_type=DocType.STTLP).count() == 1
    assert Shift.objects.filter(status=ShiftStatus.OPEN).count() == 1
    # Every sealed book ends with its seal: nothing was filed into it after the handover.
    for handover in Handover.objects.select_related("seal_entry"):
        seqs = Mutasi.objects.filter(shift=handover.outgoing_id).values_list(
            "ledger_entry__seq", flat=True
        )
        assert max(seqs) == handover.seal_entry.seq
    # Each document was signed by the shift holding the book when it was issued.
    for doc in Document.objects.select_related("shift"):
        assert doc.shift.opened_at <= doc.issued_at, doc.number
        assert doc.shift.closed_at is None or doc.issued_at <= doc.shift.closed_at, doc.number
    assert verify().ok
