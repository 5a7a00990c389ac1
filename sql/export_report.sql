SELECT * FROM {{ tmp "export_summary" }}
