"""The worker's side of the webhooks (spkt/channels/inbound.py). What no task takes, the intake
clock's ``inbound_sweep`` does (ADR 0027: one clock, no Huey periodic tasks)."""

from huey.contrib.djhuey import db_task

from spkt.channels import inbound


@db_task()
def inbound_process_task(account_id: int) -> None:
    inbound.task_started("inbound", account_id)  # before reading the queue: see enqueue_once
    inbound.process_account(account_id)


@db_task()
def webform_process_task(unit_id: int) -> None:
    from spkt.channels import webform

    inbound.task_started("webform", unit_id)  # before reading the queue: see enqueue_once
    webform.process_unit(unit_id)
