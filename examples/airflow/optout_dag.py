"""Nightly Do-Not-Sell enforcement with optout.

One DAG run per logical date: `optout run --date {{ ds }}` enforces every
opt-out known by the end of that day; a sensor then waits for the date's
completion marker, complete/dt=D/_SUCCESS, which optout writes after the
last output of D is published (an interrupted publish is finished by the
next optout command before the marker appears), and one task per export
uploads the export's folder, which also holds its own _SUCCESS (written only
after the export's leak check passed). optout exits 0 ok, 1 run failed, 2 config error, 3 bad
input, 4 another run holds the lock; only 1 and 4 are worth retrying.

Only the run for the newest date uploads. An export for date D leaves out
the people opted out as of the end of D, not those who opted out since: a
cleared or backfilled run for an earlier date still runs optout (its
outputs are the record of that date) but skips the uploads, which would
send those people's data after their opt-out.
"""

from datetime import datetime, timedelta, timezone

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import ShortCircuitOperator
from airflow.sensors.filesystem import FileSensor

OPTOUT = "/opt/optout/bin/optout"
CONFIG = "/etc/optout/optout.yaml"
OUTPUT = "/data/optout"  # the config's `output:`
EXPORTS = ["google_ads_audience", "meta_audience", "partner_list_rental"]
# The config's `timezone:`. The run for D counts what was received before
# 00:00 of D+1 there (its as-of instant); scheduling in that zone starts it
# after that instant, so D's outputs are final and a rerun of D gives the
# same rows. In UTC, 03:00 would come four to five hours before the end of
# a Los Angeles day.
TIMEZONE = "America/Los_Angeles"


def is_newest_date(data_interval_end, **_):
    """True for the run of the newest date: its interval ended within a day."""
    return data_interval_end >= datetime.now(timezone.utc) - timedelta(days=1)


default_args = {
    "owner": "data-privacy",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}

with DAG(
    dag_id="optout_nightly",
    description="Enforce CCPA/CPRA opt-outs and filter every outbound export",
    start_date=pendulum.datetime(2026, 11, 1, tz=TIMEZONE),
    schedule="0 3 * * *",  # 03:00 in TIMEZONE, for the day that ended at 00:00
    catchup=False,
    max_active_runs=1,  # optout also refuses a second run on the same output (exit 4)
    default_args=default_args,
    tags=["privacy", "ccpa"],
) as dag:
    enforce = BashOperator(
        task_id="optout_run",
        bash_command=f"{OPTOUT} run --config {CONFIG} --date {{{{ ds }}}} --log-format json",
        execution_timeout=timedelta(hours=2),
        # The last stdout line is the JSON summary; Airflow pushes it to XCom.
        do_xcom_push=True,
    )

    # Skips every upload (not optout) in a run for an earlier date.
    newest = ShortCircuitOperator(task_id="newest_date_only", python_callable=is_newest_date)
    enforce >> newest

    # Every output of the date is published and consistent.
    complete = FileSensor(
        task_id="wait_date_complete",
        filepath=f"{OUTPUT}/complete/dt={{{{ ds }}}}/_SUCCESS",
        poke_interval=60,
        timeout=60 * 30,
        mode="reschedule",
    )
    newest >> complete

    for export in EXPORTS:
        marker = f"{OUTPUT}/exports/{export}/dt={{{{ ds }}}}/_SUCCESS"
        upload = BashOperator(
            task_id=f"upload_{export}",
            # Replace with the destination's uploader; only the folder with
            # _SUCCESS is ever sent.
            bash_command=f"test -f {marker} && echo upload {OUTPUT}/exports/{export}/dt={{{{ ds }}}}/",
            execution_timeout=timedelta(minutes=30),
        )
        complete >> upload

# On Kubernetes, run the same command in the optout image instead of the
# BashOperator above:
#
# from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
# enforce = KubernetesPodOperator(
#     task_id="optout_run",
#     name="optout-run",
#     image="ghcr.io/your-org/optout:latest",
#     cmds=["optout"],
#     arguments=["run", "--config", CONFIG, "--date", "{{ ds }}", "--log-format", "json"],
#     # The pod's XCom is the file /airflow/xcom/return.json, which optout
#     # does not write: the summary stays in the task log and the runs table.
#     do_xcom_push=False,
#     execution_timeout=timedelta(hours=2),
#     retries=2,
# )
