"""`rbsw-gateway`: run the reference council gateway and administer it.

    rbsw-gateway [--data-dir DIR] [--database URL] COMMAND
      --database URL, or RBSW_GATEWAY_DATABASE: sqlite:///PATH (default DIR/gateway.sqlite3)
                     or postgresql://USER[:PASSWORD]@HOST:PORT/DB
    rbsw-gateway migrate                  bring the database's schema up to date
    rbsw-gateway serve [--host 127.0.0.1] [--port N] [--workers N]
                       [--tls-cert FILE --tls-key FILE] [--max-seconds S]
    rbsw-gateway [--data-dir DIR] pod add NAME [--json]
    rbsw-gateway [--data-dir DIR] worker add --pod POD --name NAME --role ROLE [--json]
    rbsw-gateway [--data-dir DIR] enrol-code --worker ID [--valid-seconds N] [--json]
    rbsw-gateway [--data-dir DIR] case add --worker ID --child NAME [--family NAME] [--json]
    rbsw-gateway [--data-dir DIR] revoke --device ID [--json]     a lost or stolen laptop
    rbsw-gateway [--data-dir DIR] retire --device ID [--json]     a laptop leaving service
    rbsw-gateway [--data-dir DIR] records [--pod POD] [--json]
    rbsw-gateway [--data-dir DIR] records --history ID [--json]
    rbsw-gateway [--data-dir DIR] prune-uploads [--json]   (serve does it as it starts too)
    rbsw-gateway [--data-dir DIR] audit [--limit N] [--json]
    rbsw-gateway [--data-dir DIR] audit --verify [--json]   is the hash chain intact?

`serve` prints one line of JSON, `{"url": "http://HOST:PORT"}`, once it is listening (so
`--port 0` can be used). On the embedded SQLite default it brings the schema up to date
itself; on PostgreSQL it refuses an out-of-date schema and says to run `migrate`. The data
directory defaults to $RBSW_GATEWAY_DIR or ./gateway-data. A wrong database URL, an
unreachable database or a refused password is one plain sentence and exit 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import ssl
import sys
import threading
from pathlib import Path
from typing import Any

from rbsw_desktop.cmdline import not_utf8
from rbsw_desktop.errors import RbswError
from rbsw_desktop.gateway import DATABASE_ENV
from rbsw_desktop.gateway.errors import ApiError
from rbsw_desktop.gateway.repository import ROLES, GatewayRepository


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rbsw-gateway", description="The reference council gateway.")
    p.add_argument("--data-dir", type=Path,
                   default=Path(os.environ.get("RBSW_GATEWAY_DIR", "gateway-data")))
    p.add_argument("--database", default=os.environ.get(DATABASE_ENV) or None,
                   help="sqlite:///PATH or postgresql://USER[:PASSWORD]@HOST:PORT/DB "
                   "(default: DATA_DIR/gateway.sqlite3)")
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="bring the database's schema up to date")

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate")
    serve.add_argument("--tls-key", type=Path, help="and this private key")
    serve.add_argument("--max-seconds", type=float, default=0,
                       help="stop by itself after this long (0: run until stopped)")
    serve.add_argument("--client-timeout", type=float, default=15.0,
                       help="seconds a client may stay silent mid-request")
    serve.add_argument("--exit-with-parent", action="store_true",
                       help="stop when the process that started it ends (the desktop's demo)")

    pod = sub.add_parser("pod").add_subparsers(dest="action", required=True)
    pod_add = pod.add_parser("add")
    pod_add.add_argument("name")
    pod_add.add_argument("--json", action="store_true")

    worker = sub.add_parser("worker").add_subparsers(dest="action", required=True)
    worker_add = worker.add_parser("add")
    worker_add.add_argument("--pod", required=True)
    worker_add.add_argument("--name", required=True)
    worker_add.add_argument("--role", required=True, choices=ROLES)
    worker_add.add_argument("--json", action="store_true")

    code = sub.add_parser("enrol-code", help="print a one-time enrolment code for a worker")
    code.add_argument("--worker", required=True)
    code.add_argument("--valid-seconds", type=int, default=7 * 24 * 3600)
    code.add_argument("--json", action="store_true")

    case = sub.add_parser("case").add_subparsers(dest="action", required=True)
    case_add = case.add_parser("add")
    case_add.add_argument("--worker", required=True)
    case_add.add_argument("--child", required=True)
    case_add.add_argument("--family", default="")
    case_add.add_argument("--json", action="store_true")

    revoke = sub.add_parser("revoke", help="refuse a laptop from now on")
    revoke.add_argument("--device", required=True)
    revoke.add_argument("--json", action="store_true")

    retire = sub.add_parser("retire", help="let a laptop send what it holds, then wipe itself")
    retire.add_argument("--device", required=True)
    retire.add_argument("--json", action="store_true")

    records = sub.add_parser("records", help="list the records held")
    records.add_argument("--pod")
    records.add_argument("--history", metavar="ID",
                         help="every revision of one record the gateway accepted, oldest first")
    records.add_argument("--json", action="store_true")

    prune = sub.add_parser("prune-uploads", help="remove old uploads no record cites")
    prune.add_argument("--json", action="store_true")

    audit = sub.add_parser("audit", help="the latest access log rows (no content)")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--json", action="store_true")
    audit.add_argument("--verify", action="store_true",
                       help="check the audit's hash chain: exit 0 intact, 1 broken")
    return p


def _verify_audit(args: argparse.Namespace, repo: GatewayRepository) -> int:
    """`audit --verify`: one sentence, and exit 0 when the chain is intact, 1 when broken."""
    from rbsw_desktop.gateway.db.audit_chain import first_break

    broken, checked, heads = first_break(repo.audit_chain())
    if broken is None:
        sentence = (f"The audit is intact: all {checked} rows are linked, each to the one "
                    f"before it in its pod's chain; the hash of the chains' newest rows is "
                    f"{heads or 'none (no rows)'}.")
    else:
        sentence = (f"The audit is broken at row {broken}: that row was changed, or a row "
                    f"before it removed, after it was written ({checked} rows before it are "
                    "intact).")
    if args.json:
        print(json.dumps({"intact": broken is None, "rows": checked, "first_broken": broken,
                          "heads_hash": heads, "message": sentence}))
    else:
        print(sentence)
    return 0 if broken is None else 1


def _print_id(args: argparse.Namespace, value: str, **extra: Any) -> None:
    print(json.dumps({"id": value, **extra}) if args.json else value)


def _serve(args: argparse.Namespace, database_url: str) -> None:
    from rbsw_desktop.gateway import server

    if (args.tls_cert is None) != (args.tls_key is None):
        raise RbswError("HTTPS needs both --tls-cert and --tls-key.")
    tls = None
    if args.tls_cert is not None:
        for path in (args.tls_cert, args.tls_key):
            if not path.is_file():
                raise RbswError(f"The TLS file {path} does not exist.")
        tls = (str(args.tls_cert), str(args.tls_key))
        try:                                   # before the address is announced
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(*tls)
        except (OSError, ssl.SSLError):
            raise RbswError(f"The TLS certificate {args.tls_cert} and key {args.tls_key} could "
                            "not be used together (not PEM, or not a pair).") from None
    if args.workers < 1:
        raise RbswError("--workers should be 1 or more.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        sock = server.bind(args.host, args.port)
    except OSError as exc:
        raise RbswError(f"The gateway could not listen on {args.host}:{args.port} "
                        f"({exc.strerror or exc}).") from None
    print(json.dumps({"url": server.url_of(sock, tls is not None)}), flush=True)
    parent = os.getppid()
    orphaned = (lambda: os.getppid() != parent) if args.exit_with_parent else None
    try:
        server.serve(database_url, sock, workers=args.workers, tls=tls,
                     client_timeout=args.client_timeout, max_seconds=args.max_seconds or None,
                     stop_when=orphaned)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()


def _ready_database(args: argparse.Namespace) -> str:
    """The database URL, its schema brought up to date or checked (see the docstring)."""
    from rbsw_desktop.gateway import db
    from rbsw_desktop.gateway.db.engine import private_dir

    url = db.database_url(args.data_dir, args.database)
    if args.database is None:                  # the embedded default: the data dir is ours
        private_dir(args.data_dir)
    if args.command == "migrate":
        db.migrate(url)
        return url
    state = db.schema_state(url)
    if state != "current":
        if not url.startswith("sqlite"):
            raise RbswError("The gateway's PostgreSQL database is not set up for this version. "
                            "Run `rbsw-gateway --database URL migrate` first.")
        db.migrate(url)
    return url


def run(args: argparse.Namespace) -> int:
    from rbsw_desktop.domain.instants import utc_now
    from rbsw_desktop.gateway.blobs import BlobStore
    from rbsw_desktop.gateway.db import open_repository
    from rbsw_desktop.gateway.service import GatewayService

    url = _ready_database(args)
    if args.command == "migrate":
        print("The gateway's database is up to date.")
        return 0
    repo: GatewayRepository = open_repository(url)
    if args.command == "serve":
        try:
            BlobStore(repo).prune()          # what was forgotten while it was stopped
        finally:
            repo.close()
        _serve(args, url)
        return 0
    service = GatewayService(repo)
    target, count = "", 0
    try:
        if args.command == "prune-uploads":
            count = BlobStore(repo).prune()
            print(json.dumps({"removed": count}) if args.json else f"removed {count}")
        elif args.command == "pod":
            target = service.add_pod(args.name)
            _print_id(args, target)
        elif args.command == "worker":
            target = service.add_worker(args.pod, args.name, args.role)
            _print_id(args, target)
        elif args.command == "case":
            target, child_id = service.add_case(args.worker, args.child, args.family)
            _print_id(args, target, child_id=child_id)
        elif args.command == "enrol-code":
            target = args.worker
            code = service.enrol_code(args.worker, max(0, args.valid_seconds))
            print(json.dumps({"code": code}) if args.json else code)
        elif args.command == "revoke":
            target = args.device
            if not service.revoke(args.device):
                raise RbswError("There is no device with that id.")
            print(json.dumps({"id": args.device, "revoked": True}) if args.json
                  else f"revoked {args.device}")
        elif args.command == "records" and args.history:
            target = args.history
            revisions = repo.history(args.history)
            if not revisions:
                raise RbswError("The gateway holds no history for a record with that id.")
            count = len(revisions)
            if args.json:
                print(json.dumps(revisions, ensure_ascii=False))
            else:
                for h in revisions:
                    print(f"rev {h['rev']:<4} {h['received_at']} {h['entity']} "
                          f"worker={h['worker_id']} device={h['device_id']} op={h['op_id']}"
                          f"{' deleted' if h['deleted'] else ''}"
                          f"{' filed ' + h['case_system_ref'] if h['filed'] else ''}")
                    print("    " + json.dumps(h["fields"], ensure_ascii=False, sort_keys=True))
        elif args.command == "retire":
            target = args.device
            if not service.retire(args.device):
                raise RbswError("There is no such device, or it has been revoked already.")
            print(json.dumps({"id": args.device, "retired": True}) if args.json
                  else f"retired {args.device}: it sends what it holds at its next sync, "
                  "then wipes itself")
        elif args.command == "records":
            rows = [r.as_json() for r in repo.records(args.pod)]
            target, count = args.pod or "", len(rows)
            if args.json:
                print(json.dumps(rows, ensure_ascii=False))
            else:
                for r in rows:
                    print(f"{r['entity']:<22} {r['id']}  rev {r['rev']:<4} "
                          f"{'filed ' + r['case_system_ref'] if r['filed'] else ''}")
        elif args.command == "audit":
            if args.verify:
                return _verify_audit(args, repo)
            rows = repo.audit_rows(args.limit)
            if args.json:
                print(json.dumps(rows))
            else:
                for a in rows:
                    print(f"{a['at']} {a['status']} {a['action']} device={a['device_id']} "
                          f"client={a['client']} count={a['count']} "
                          f"records={len(a['record_ids'] or [])}")
            return 0
        with repo.transaction():           # admin actions are audited too (ids and counts)
            action = f"admin {args.command} {getattr(args, 'action', '') or ''}".strip()
            repo.audit(utc_now(), None, None, action, target, count, 0)
    finally:
        repo.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if problem := not_utf8(parser, args):
        print(f"rbsw-gateway: {problem}", file=sys.stderr)
        return 1
    try:
        return run(args)
    except ApiError as exc:
        print(f"rbsw-gateway: {exc.message}", file=sys.stderr)
        return 1
    except RbswError as exc:
        print(f"rbsw-gateway: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"rbsw-gateway: could not use the data directory ({exc.strerror or exc}).",
              file=sys.stderr)
        return 1
    except (KeyboardInterrupt, BrokenPipeError):
        return 130


if __name__ == "__main__":
    threading.current_thread().name = "main"
    sys.exit(main())
