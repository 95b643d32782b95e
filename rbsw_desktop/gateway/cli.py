"""`rbsw-gateway`: run the reference council gateway and administer it.

    rbsw-gateway [--data-dir DIR] serve [--host 127.0.0.1] [--port N] [--max-seconds S]
    rbsw-gateway [--data-dir DIR] pod add NAME [--json]
    rbsw-gateway [--data-dir DIR] worker add --pod POD --name NAME --role ROLE [--json]
    rbsw-gateway [--data-dir DIR] enrol-code --worker ID [--valid-seconds N] [--json]
    rbsw-gateway [--data-dir DIR] case add --worker ID --child NAME [--family NAME] [--json]
    rbsw-gateway [--data-dir DIR] revoke --device ID
    rbsw-gateway [--data-dir DIR] records [--pod POD] [--json]
    rbsw-gateway [--data-dir DIR] audit [--limit N] [--json]

`serve` prints one line of JSON, `{"url": "http://HOST:PORT"}`, once it is listening (so
`--port 0` can be used). `--test-faults` turns on `fault --status S --count N
[--retry-after SECONDS]`, which makes the next N API requests fail with S: for tests only.
The data directory defaults to $RBSW_GATEWAY_DIR or ./gateway-data.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from rbsw_desktop.errors import RbswError
from rbsw_desktop.gateway.repository import ROLES, GatewayRepository
from rbsw_desktop.gateway.validate import ApiError


def open_repository(data_dir: Path) -> GatewayRepository:
    """The storage seam: SQLite today; a PostgreSQL repository would be chosen here."""
    from rbsw_desktop.gateway.sqlite_store import SqliteRepository

    return SqliteRepository(data_dir)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rbsw-gateway", description="The reference council gateway.")
    p.add_argument("--data-dir", type=Path,
                   default=Path(os.environ.get("RBSW_GATEWAY_DIR", "gateway-data")))
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--max-seconds", type=float, default=0,
                       help="stop by itself after this long (0: run until stopped)")
    serve.add_argument("--client-timeout", type=float, default=15.0,
                       help="seconds a client may stay silent mid-request")
    serve.add_argument("--exit-with-parent", action="store_true",
                       help="stop when the process that started it ends (the desktop's demo)")
    serve.add_argument("--test-faults", action="store_true", help=argparse.SUPPRESS)

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

    records = sub.add_parser("records", help="list the records held")
    records.add_argument("--pod")
    records.add_argument("--json", action="store_true")

    audit = sub.add_parser("audit", help="the latest access log rows (no content)")
    audit.add_argument("--limit", type=int, default=50)
    audit.add_argument("--json", action="store_true")

    fault = sub.add_parser("fault", help=argparse.SUPPRESS)
    fault.add_argument("--status", type=int, required=True, choices=(429, 500, 502, 503))
    fault.add_argument("--count", type=int, default=1)
    fault.add_argument("--retry-after", type=float)
    return p


def _print_id(args: argparse.Namespace, value: str, **extra: Any) -> None:
    print(json.dumps({"id": value, **extra}) if args.json else value)


def _serve(args: argparse.Namespace, repo: GatewayRepository) -> None:
    from rbsw_desktop.gateway.server import GatewayApp, serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = GatewayApp(repo, args.data_dir, test_faults=args.test_faults)

    def ready(url: str) -> None:
        print(json.dumps({"url": url}), flush=True)

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    parent = os.getppid()
    orphaned = (lambda: os.getppid() != parent) if args.exit_with_parent else None
    try:
        serve(app, args.host, args.port, max_seconds=args.max_seconds or None,
              client_timeout=args.client_timeout, ready=ready, stop_when=orphaned)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise RbswError(f"The gateway could not listen on {args.host}:{args.port} "
                        f"({exc.strerror or exc}).") from None


def run(args: argparse.Namespace) -> int:
    from rbsw_desktop.gateway.service import GatewayService, now_iso

    repo = open_repository(args.data_dir)
    service = GatewayService(repo)
    target, count = "", 0
    try:
        if args.command == "serve":
            _serve(args, repo)
            return 0
        if args.command == "pod":
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
            rows = repo.audit_rows(args.limit)
            if args.json:
                print(json.dumps(rows))
            else:
                for a in rows:
                    print(f"{a['at']} {a['status']} {a['action']} device={a['device_id']} "
                          f"count={a['count']}")
            return 0
        elif args.command == "fault":
            repo.set_fault(args.status, max(0, args.count), args.retry_after)
            return 0
        with repo.transaction():           # admin actions are audited too (ids and counts)
            action = f"admin {args.command} {getattr(args, 'action', '') or ''}".strip()
            repo.audit(now_iso(), None, None, action, target, count, 0)
    finally:
        repo.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
