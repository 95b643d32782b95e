"""The reference council gateway: its own process, its own database. No Qt.

    cli.py        `rbsw-gateway` (migrate, serve, admin commands)
    server.py     binds the socket, runs uvicorn workers (TLS, backlog, time limits)
    app.py        the ASGI app: FastAPI routes behind the edge; error handlers; OpenAPI
    edge.py       ASGI middleware: bodies (limits, gunzip, client timeout), gzip, audit rows
    http11.py     uvicorn's h11 protocol, answering unreadable requests in the error shape
    routes/       one router per resource: devices, sync, blobs, pod (business support)
    deps.py       what routes depend on: the services, the caller, a strict JSON body
    service.py    enrolment, authentication, scope, push (idempotent by op_id), pull by cursor
    support.py    business support: devices, queues, filing
    blobs.py      content-addressed, resumable chunk uploads; reads only in scope
    validate.py   a pushed record's fields against the entity's dataclass
    errors.py     ApiError: a status, a protocol error code and words
    repository.py the storage seam (GatewayRepository Protocol) and its rules
    db/           SQLAlchemy Core: tables, SqlRepository (SQLite and PostgreSQL), Alembic
    embedded.py   a loopback gateway with a fictional demo pod for `rbsw-desktop --demo`

The wire shapes are `rbsw_desktop.protocol`, shared with the laptop; the laptop never imports
this package.
"""

#: The database URL, for `rbsw-gateway --database` and for the worker processes `serve` starts.
DATABASE_ENV = "RBSW_GATEWAY_DATABASE"
#: Seconds a client may stay silent mid-request (`serve --client-timeout`), for the workers.
CLIENT_TIMEOUT_ENV = "RBSW_GATEWAY_CLIENT_TIMEOUT"
#: Limits on uploads no attachment cites yet (`blobs.BlobLimits`): bytes per device, bytes per
#: pod, and seconds untouched before the gateway removes one.
BLOB_DEVICE_QUOTA_ENV = "RBSW_GATEWAY_BLOB_DEVICE_QUOTA_BYTES"
BLOB_POD_QUOTA_ENV = "RBSW_GATEWAY_BLOB_POD_QUOTA_BYTES"
BLOB_ORPHAN_SECONDS_ENV = "RBSW_GATEWAY_BLOB_ORPHAN_SECONDS"
