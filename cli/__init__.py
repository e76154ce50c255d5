"""The command line, on the top floor: `scorecard ingest | demo | rejected | export | serve`.

It builds the Database once from --db and hands it down; it may import every layer, and no
layer imports it.
"""
