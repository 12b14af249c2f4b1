"""The worker's side of the webhooks (spkt/channels/inbound.py). What no task takes, the intake
clock's ``inbound_sweep`` does (ADR 0027: one clock, no Huey periodic tasks)."""

from huey.contrib.djhuey import db_task

from spkt.channels import inbound


@db_task()
def inbound_process_task(account_id: int) -> None:
    inbound.process_account(account_id)


@db_task()
def webform_process_task(unit_id: int) -> None:
    from spkt.channels import webform

    webform.task_started(unit_id)  # before reading the queue: see webform.enqueue
    webform.process_unit(unit_id)
