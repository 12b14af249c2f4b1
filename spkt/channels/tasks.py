"""The worker's side of the webhooks (spkt/channels/inbound.py). What no task takes, the intake
clock's ``inbound_sweep`` does (ADR 0027: one clock, no Huey periodic tasks)."""

from huey.contrib.djhuey import db_task

from spkt.channels import inbound


@db_task()
def inbound_process_task(account_id: int) -> None:
    inbound.process_account(account_id)
