"""Background work of the Buku Mutasi: entries recorded on a hot path reach the book here, right
after their transaction commits (``services.mutasi_append_later``)."""

from huey.contrib.djhuey import db_task

from spkt.core.queueing import task_started
from spkt.dutylog.services import mutasi_flush
from spkt.org.models import Unit


@db_task()
def mutasi_flush_task(unit_id: int) -> None:
    task_started("mutasi", unit_id)  # before reading the queue (core.queueing)
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is not None:
        mutasi_flush(unit=unit)
