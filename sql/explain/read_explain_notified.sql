SELECT * FROM {{ tmp "explain_notified" }} ORDER BY notified_by_run_for, export_dt, export
