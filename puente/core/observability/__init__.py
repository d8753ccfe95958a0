"""Request ids, structured logs and Prometheus metrics (docs/deploy.md, "Logs and metrics").

Every request gets an id: the proxy's `X-Request-ID` when it is a sane token, else a new
one. It is answered in the `X-Request-ID` header, and every line logged while the request
runs carries it (`logs.LogContextFilter`), as every line logged while the worker runs a
task carries the task's id. Each request ends with one access line on the
`puente.request` logger and one observation of the latency histogram, labelled by the
URL's route name: label values stay bounded whatever paths clients make up
(`middleware`).

The metrics (`metrics`) live in this process, or with `PROMETHEUS_MULTIPROC_DIR` in files
that every process of the machine (web and worker) writes and `/metrics` reads together.
Figures kept in the database (the queue, the cube) are read when `/metrics` is asked, by
collectors.

`logs` is imported by the logging configuration, before the apps are loaded: it imports
no model.
"""
