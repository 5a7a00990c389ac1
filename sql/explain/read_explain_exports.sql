SELECT * FROM {{ tmp "explain_exports" }} ORDER BY export, file, {{ ident "row" }}, decision, row_state
