"""Every night, the Anev's daily figures of the last week's closed duty days (re)computed: a
late answer, a task cleared after midnight or a daily report sent late still land in its day."""

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


# Huey reads crontabs in UTC: 17:30 UTC is 01:30 WITA.
@db_periodic_task(crontab(minute="30", hour="17"))
def anev_aggregate_nightly() -> None:
    call_command("anev_aggregate", verbosity=0)
