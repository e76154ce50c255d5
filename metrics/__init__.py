"""The metrics layer: the scorecard computed from the database (docs/metrics.md).

registry (indicators as data) -> sources + compute (set-based SQL) -> privacy -> scorecard
(targets, status, scores, change) -> export (CSV) and chain (service-profit chain).
Nothing here imports streamlit or connects at import time.
"""
