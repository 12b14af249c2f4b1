"""Background work of the phone alerts: each push is sent by the Huey worker after the alert's
commit; the intake clock retries what the push service did not take (services.push_sweep)."""

from huey.contrib.djhuey import db_task

from spkt.alerts.services import push_deliver


@db_task()
def push_deliver_task(delivery_id: int) -> None:
    push_deliver(delivery_id)
