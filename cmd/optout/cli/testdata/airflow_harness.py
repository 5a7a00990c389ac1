"""Loads examples/airflow/optout_dag.py without Airflow and reports, as JSON
on stdout, what TestAirflowExample checks.

Airflow cannot be installed here (no Python package index), so the modules
the DAG imports are stood in for by minimal classes that only record their
arguments, in the layout of one Airflow version (argv[2]: "2.10" or "3"):
each import of the DAG must resolve on both, through its first choice or
its fallback. What runs for real: the DAG file itself, its optout callable
against a stand-in optout (argv[3], a script exiting with $FAKE_EXIT), and,
when jinja2 and pendulum are importable, the rendering of every templated
argument with Airflow's `ds` filter.

Usage: python3 airflow_harness.py DAG_FILE LAYOUT FAKE_OPTOUT
"""

import importlib.util
import io
import json
import logging
import os
import sys
import types

dag_file, layout, fake_optout = sys.argv[1:4]


class AirflowFailException(Exception):
    pass


class DAG:
    current = None

    def __init__(self, dag_id, **kwargs):
        self.dag_id, self.kwargs, self.tasks = dag_id, kwargs, []

    def __enter__(self):
        DAG.current = self
        return self

    def __exit__(self, *exc):
        DAG.current = None


class Operator:
    def __init__(self, task_id, **kwargs):
        self.task_id, self.kwargs, self.downstream = task_id, kwargs, []
        DAG.current.tasks.append(self)

    def __rshift__(self, other):
        self.downstream.append(other.task_id)
        return other


class CronDataIntervalTimetable:
    def __init__(self, expression, timezone):
        self.expression, self.timezone = expression, timezone


def module(name, **attrs):
    m = types.ModuleType(name)
    m.__path__ = []  # a package, so that submodules import
    m.__dict__.update(attrs)
    sys.modules[name] = m
    parent, _, child = name.rpartition(".")
    if parent:
        if parent not in sys.modules:
            module(parent)
        setattr(sys.modules[parent], child, m)


ops = {"PythonOperator": type("PythonOperator", (Operator,), {}), "ShortCircuitOperator": type("ShortCircuitOperator", (Operator,), {})}
bash = {"BashOperator": type("BashOperator", (Operator,), {})}
sensor = {"PythonSensor": type("PythonSensor", (Operator,), {})}
if layout == "2.10":
    module("airflow", DAG=DAG)
    module("airflow.exceptions", AirflowFailException=AirflowFailException)
    module("airflow.timetables.interval", CronDataIntervalTimetable=CronDataIntervalTimetable)
    module("airflow.operators.bash", **bash)
    module("airflow.operators.python", **ops)
    module("airflow.sensors.python", **sensor)
elif layout == "3":
    module("airflow.sdk", DAG=DAG, CronDataIntervalTimetable=CronDataIntervalTimetable)
    module("airflow.sdk.exceptions", AirflowFailException=AirflowFailException)
    module("airflow.providers.standard.operators.bash", **bash)
    module("airflow.providers.standard.operators.python", **ops)
    module("airflow.providers.standard.sensors.python", **sensor)
else:
    sys.exit(f"unknown layout {layout}")

try:
    import jinja2.sandbox
    import pendulum
except ImportError:
    jinja2 = pendulum = None
if pendulum is None:  # the DAG file only needs pendulum.datetime at import
    module("pendulum", datetime=lambda *a, **kw: None)

spec = importlib.util.spec_from_file_location("optout_dag", dag_file)
dag_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dag_module)
dag = dag_module.dag
out = {"layout": layout, "tasks": {}, "exit": {}}
for t in dag.tasks:
    kw = t.kwargs.get("op_kwargs") or {}
    out["tasks"][t.task_id] = {"downstream": t.downstream, "command": kw.get("command", ""), "calls_optout": t.kwargs.get("python_callable") is dag_module.optout}
tt = dag.kwargs["schedule"]
out["schedule"] = f"{type(tt).__name__} {tt.expression} {tt.timezone}" if isinstance(tt, CronDataIntervalTimetable) else repr(tt)

# The optout callable against the stand-in: what each exit code becomes.
dag_module.OPTOUT = fake_optout
for code in range(6):
    os.environ["FAKE_EXIT"] = str(code)
    try:
        out["exit"][str(code)] = "returned " + dag_module.optout("run", "2026-11-21")
    except AirflowFailException:
        out["exit"][str(code)] = "failed, not retried"
    except Exception:
        out["exit"][str(code)] = "retried"
with open(os.environ["FAKE_ARGV"]) as f:
    out["argv"] = f.read().strip()
try:
    dag_module.optout("run", "None")  # a run without a data interval
    out["no_date"] = "ran"
except AirflowFailException as e:
    out["no_date"] = "failed, not retried: " + str(e)

# The failure alert logs at ERROR (its placeholder for a pager).
buf = io.StringIO()
logging.basicConfig(stream=buf, level=logging.INFO, force=True)
ti = types.SimpleNamespace(task_id="optout_run", dag_id=dag.dag_id)
dag.kwargs["default_args"]["on_failure_callback"]({"ti": ti, "run_id": "scheduled__x", "exception": "exit 3"})
out["alert"] = buf.getvalue().strip()


# Every templated argument rendered for the run of 2026-11-21 as Airflow
# gives it: data_interval_start in UTC; ds and logical_date as Airflow 3
# sets them for a bare cron schedule (the day the run fires), so that a
# field still reading them shows 2026-11-22. A second interval starts late
# in the evening, already the next day in UTC.
def render(start_local):
    env = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    env.filters["ds"] = lambda v: v.strftime("%Y-%m-%d")  # Airflow's ds filter
    start = start_local.in_timezone("UTC")
    fires = start.add(days=1)
    ctx = {"data_interval_start": start, "data_interval_end": fires, "logical_date": fires, "ds": fires.strftime("%Y-%m-%d")}
    got = {}
    for t in dag.tasks:
        fields = {"date": (t.kwargs.get("op_kwargs") or {}).get("date"), "bash_command": t.kwargs.get("bash_command")}
        for i, a in enumerate(t.kwargs.get("op_args") or []):
            fields[f"op_args[{i}]"] = a
        for name, value in fields.items():
            if isinstance(value, str):
                got[f"{t.task_id}.{name}"] = env.from_string(value).render(ctx)
    return got


if jinja2 is not None:
    tz = dag_module.TIMEZONE
    out["rendered"] = render(pendulum.datetime(2026, 11, 21, 3, 0, tz=tz))
    out["rendered_late"] = render(pendulum.datetime(2026, 11, 21, 23, 30, tz=tz))
print(json.dumps(out))
