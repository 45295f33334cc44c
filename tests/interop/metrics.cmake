# The Prometheus endpoint scraped with curl (and promtool when installed) against BIRD and
# GoBGP; reloads that move, close and reopen it (docs/metrics.md).
rx_interop_tests(180 metrics=test_metrics.Metrics)
