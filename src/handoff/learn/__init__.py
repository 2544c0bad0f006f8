"""Learn: read the recorded history back as KPIs, backtests, suggestions and reports.

Also the offline evaluation of Detect on labelled cases, and the simulated month
the demo records.
"""
