"""The studio's jobs as typed, Qt-free requests, the events a job worker sends back, and the worker loop.

A page builds one frozen request dataclass (`requests`), the studio's `JobRunner` (in `studio.gui.jobs`)
pickles it to a worker *process* (`worker`), which calls `request.run(progress, cancel)` and answers with
typed events (`events`). Nothing here imports Qt, and the ML stack is imported only inside `run`.
"""
