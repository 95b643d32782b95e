"""The reference council gateway: its own process, its own store. No Qt.

    cli.py            `rbsw-gateway` (serve + admin commands); `open_repository` picks the store
    server.py         HTTP front (stdlib ThreadingHTTPServer): bodies, gzip, limits, audit, routes
    service.py        enrolment, authentication, scope, push (idempotent by op_id), pull by cursor
    support.py        business support endpoints (/api/v1/pod/...): devices, queues, filing
    blobs.py          content-addressed, resumable chunk uploads; reads only in scope
    validate.py       shape and field checks on what laptops send; ApiError
    openapi.py        the OpenAPI 3 document served at /api/v1/openapi.json
    repository.py     the storage seam (GatewayRepository Protocol) and its rules
    sqlite_store.py   the embedded default store (stdlib sqlite3, WAL)
    embedded.py       a loopback gateway with a fictional demo pod for `rbsw-desktop --demo`
    support_client.py the business support view's HTTP calls (used by ui/business_support.py)

PostgreSQL: implement `repository.GatewayRepository` (same tables; `seq` from a sequence row
locked in the write transaction, or a table-level advisory lock, so pulls never skip a
change), and return it from `cli.open_repository` for a `postgresql://` data location.
Nothing else changes: no other module writes SQL.
"""
