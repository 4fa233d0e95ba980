from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvj.settings")

app = Celery("cvj")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Take a message from Redis only when a process is free to run it (Redis brokers only). A
# message a worker has taken waits in its own first-come list, out of reach of the priority
# that puts a click's render ahead of background pre-renders; prefetch 1 per process with
# acks_late nearly ensures this already, but the limit also moves with every countdown task
# (the pre-render checks) the worker holds in memory.
app.conf.worker_disable_prefetch = True
app.autodiscover_tasks()
