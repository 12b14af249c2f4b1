"""Background work of activity 1. Delivery runs in the Huey worker; the 15-second clock runs as
``manage.py intake_clock`` (Huey's periodic tasks are per minute)."""

from huey.contrib.djhuey import db_task

from spkt.intake.outbox import outbox_deliver


@db_task()
def outbox_deliver_task(item_id: int) -> None:
    outbox_deliver(item_id)
