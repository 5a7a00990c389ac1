"""Nightly Do-Not-Sell enforcement with optout, for Airflow 2.10+ and 3.x.

One DAG run per day D of the config's timezone: `optout validate` checks
every input for D, then `optout run --date D` enforces every opt-out known
by the end of D; a sensor waits for D's completion marker,
complete/dt=D/_SUCCESS, which optout writes after the last output of D is
published (an interrupted publish is finished by the next optout command
before the marker appears), and one task per export uploads the export's
folder, which also holds its own _SUCCESS (written only after the export's
leak check passed).

D is the day the run's data interval starts, in the config's timezone. The
schedule is an explicit CronDataIntervalTimetable because a bare cron
string means different things across versions: Airflow 2 turns it into
data intervals, so `{{ ds }}` is the day before the run fires, but Airflow
3 (scheduler.create_cron_data_intervals = False by default) turns it into
a CronTriggerTimetable, whose `{{ ds }}` is the day the run fires, a day
that has just begun (optout refuses it, exit 2). With the timetable below
both versions give the interval [D 03:00, D+1 03:00) and fire at its end.

optout exits 0 ok, 1 run failed, 2 config error, 3 bad input, 4 another
run holds the lock. Only 1 (a late or stale input may yet arrive) and 4
(the other run will end) are retried: 2 and 3 fail at once, because
retrying cannot fix a config or an input, and a person must.

Only the run for the newest date uploads. An export for date D leaves out
the people opted out as of the end of D, not those who opted out since: a
cleared or backfilled run for an earlier date still runs optout (its
outputs are the record of that date) but skips the uploads, which would
send those people's data after their opt-out.
"""

import logging
import os
import re
import subprocess
from datetime import datetime, timedelta, timezone

import pendulum

# Airflow 3 moved the operators to the standard provider and the authoring
# API to airflow.sdk; the fallbacks are the Airflow 2 paths.
try:
    from airflow.sdk import DAG
except ImportError:
    from airflow import DAG
try:
    from airflow.sdk.exceptions import AirflowFailException
except ImportError:
    from airflow.exceptions import AirflowFailException
try:
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:
    from airflow.timetables.interval import CronDataIntervalTimetable
try:
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.python import PythonOperator, ShortCircuitOperator
    from airflow.providers.standard.sensors.python import PythonSensor
except ImportError:
    from airflow.operators.bash import BashOperator
    from airflow.operators.python import PythonOperator, ShortCircuitOperator
    from airflow.sensors.python import PythonSensor

log = logging.getLogger(__name__)

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

# The logical date D, YYYY-MM-DD: the day the data interval starts, in
# TIMEZONE (Airflow gives data_interval_start in UTC). Not `{{ ds }}`,
# which is the day the run fires under Airflow 3's default cron timetable.
DATE = "{{ data_interval_start.in_timezone('" + TIMEZONE + "') | ds }}"

# The exit codes worth a retry; every other failure needs a person.
RETRY_EXIT_CODES = {1, 4}
EXIT_MEANING = {1: "the run failed", 2: "config or usage error", 3: "bad input", 4: "another run holds the lock"}


def optout(command, date):
    """Runs `optout COMMAND --date DATE`, its output in the task log.

    Returns the JSON summary (its last stdout line, to XCom). Raises
    AirflowFailException, which Airflow does not retry, for every exit code
    but those in RETRY_EXIT_CODES.
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise AirflowFailException(f"no logical date for optout (got {date!r}): trigger the DAG with a logical date")
    argv = [OPTOUT, command, "--config", CONFIG, "--date", date, "--log-format", "json"]
    log.info("running %s", " ".join(argv))
    # Read through a pipe: a child's own stdout and stderr do not reach the
    # task log on Airflow 2. stderr (the logs) comes first, the summary last.
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    last = ""
    try:
        for line in proc.stdout:
            log.info("%s", line.rstrip("\n"))
            last = line.strip() or last
        code = proc.wait()
    except BaseException:
        proc.kill()  # a task timeout or a kill: optout leaves its outputs intact
        raise
    if code == 0:
        return last
    message = f"optout {command} --date {date} exited {code} ({EXIT_MEANING.get(code, 'unexpected')})"
    if code in RETRY_EXIT_CODES:
        raise RuntimeError(message + "; retrying")
    raise AirflowFailException(message + "; not retried: fix the config or the input, then clear this task")


def date_complete(marker):
    """True once optout wrote the date's completion marker."""
    return os.path.isfile(marker)


def is_newest_date(data_interval_end, **_):
    """True for the run of the newest date: its interval ended within a day."""
    return data_interval_end >= datetime.now(timezone.utc) - timedelta(days=1)


def alert(context):
    """Tells a person that the night's enforcement failed (after its retries).

    Placeholder: replace the log line with your pager, Slack or e-mail
    call. Until the next run succeeds, D's exports must not be sent.
    """
    ti = context["ti"]
    log.error(
        "ALERT optout: task %s of DAG %s failed for run %s: %s",
        ti.task_id,
        ti.dag_id,
        context.get("run_id"),
        context.get("exception"),
    )


default_args = {
    "owner": "data-privacy",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    "on_failure_callback": alert,
}

with DAG(
    dag_id="optout_nightly",
    description="Enforce CCPA/CPRA opt-outs and filter every outbound export",
    start_date=pendulum.datetime(2026, 11, 1, tz=TIMEZONE),
    # 03:00 in TIMEZONE, for the day that ended at 00:00 (see the top).
    schedule=CronDataIntervalTimetable("0 3 * * *", timezone=TIMEZONE),
    catchup=False,
    max_active_runs=1,  # optout also refuses a second run on the same output (exit 4)
    default_args=default_args,
    tags=["privacy", "ccpa"],
) as dag:
    validate = PythonOperator(
        task_id="optout_validate",
        python_callable=optout,
        op_kwargs={"command": "validate", "date": DATE},
        execution_timeout=timedelta(hours=1),
    )

    enforce = PythonOperator(
        task_id="optout_run",
        python_callable=optout,
        op_kwargs={"command": "run", "date": DATE},
        execution_timeout=timedelta(hours=2),
    )
    validate >> enforce

    # Skips every upload (not optout) in a run for an earlier date.
    newest = ShortCircuitOperator(task_id="newest_date_only", python_callable=is_newest_date)
    enforce >> newest

    # Every output of the date is published and consistent. A plain file
    # check: FileSensor would also need an `fs_default` connection.
    complete = PythonSensor(
        task_id="wait_date_complete",
        python_callable=date_complete,
        op_args=[f"{OUTPUT}/complete/dt={DATE}/_SUCCESS"],
        poke_interval=60,
        timeout=60 * 30,
        mode="reschedule",
    )
    newest >> complete

    for export in EXPORTS:
        folder = f"{OUTPUT}/exports/{export}/dt={DATE}"
        upload = BashOperator(
            task_id=f"upload_{export}",
            # Replace with the destination's uploader; only the folder with
            # _SUCCESS is ever sent.
            bash_command=f"test -f {folder}/_SUCCESS && echo upload {folder}/",
            execution_timeout=timedelta(minutes=30),
        )
        complete >> upload

# On Kubernetes, run the same commands in the optout image instead (the
# exit code is then the pod's: retry only 1 and 4 there too):
#
# from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
# enforce = KubernetesPodOperator(
#     task_id="optout_run",
#     name="optout-run",
#     image="ghcr.io/your-org/optout:latest",
#     cmds=["optout"],
#     arguments=["run", "--config", CONFIG, "--date", DATE, "--log-format", "json"],
#     # The pod's XCom is the file /airflow/xcom/return.json, which optout
#     # does not write: the summary stays in the task log and the runs table.
#     do_xcom_push=False,
#     execution_timeout=timedelta(hours=2),
# )
