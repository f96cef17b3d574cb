"""After the loop: the report of a WORK_DIR or of a benchmark (tables,
pseudo-label precision, plots) and the benchmark's plan of runs."""
