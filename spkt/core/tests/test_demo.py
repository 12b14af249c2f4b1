from spkt.core.ledger import verify
from spkt.demo import seed_all
from spkt.documents.models import DocType, Document
from spkt.dutylog.models import Shift, ShiftStatus


def test_the_demo_data_loads_once_and_verifies(db) -> None:
    first = seed_all()
    assert "new demo documents" in first
    count = Document.objects.count()
    assert seed_all().endswith("0 new demo documents")
    assert Document.objects.count() == count
    assert Document.objects.filter(doc_type=DocType.STTLP).count() == 1
    assert Shift.objects.filter(status=ShiftStatus.OPEN).count() == 1
    assert verify().ok
