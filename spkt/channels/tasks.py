"""The worker's side of the webhooks (spkt/channels/inbound.py). What no task takes, the intake
clock's ``inbound_sweep`` does (ADR 0027: one clock, no Huey periodic tasks)."""

from huey.contrib.djhuey import db_task

from spkt.channels import inbound
from spkt.core.queueing import task_started


@db_task()
def inbound_process_task(account_id: int) -> None:
    task_started("inbound", account_id)  # before reading the queue (core.queueing)
    inbound.process_account(account_id)


@db_task()
def webform_process_task(unit_id: int) -> None:
    from spkt.channels import webform

    task_started("webform", unit_id)  # before reading the queue (core.queueing)
    webform.process_unit(unit_id)
