"""`vitrine models status|build|pull|list`."""

from __future__ import annotations

import argparse
import json
import sys
import time

from generators.runtime.roles import Profile, Role


def register(sub: argparse._SubParsersAction) -> None:
    models = sub.add_parser("models", help="model roles: status, build placeholders, pull real weights")
    msub = models.add_subparsers(dest="models_command", metavar="ACTION")

    status = msub.add_parser("status", help="resolve every role and show where its weights come from")
    status.add_argument("--load", action="store_true", help="also load each model and run one forward pass")
    status.add_argument("--profile", default=None, help="auto (default), tiny, perf, packaged or standard")
    status.add_argument("--role", action="append", help="only these roles (repeatable)")
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.set_defaults(func=_status)

    build = msub.add_parser("build", help="build random-weight placeholder models (tiny or perf)")
    build.add_argument("profile", choices=["tiny", "perf"])
    build.add_argument("roles", nargs="*", help="roles to build (default: all)")
    build.add_argument("--force", action="store_true", help="rebuild even if cached")
    build.set_defaults(func=_build)

    pull = msub.add_parser("pull", help="download real weights (needs a network)")
    pull.add_argument("target", nargs="?", default="standard", help="'standard' (every role) or one role name")
    pull.add_argument("--force", action="store_true", help="download again even if present")
    pull.set_defaults(func=_pull)

    lst = msub.add_parser("list", help="list the registry: every role, profile, model id, licence and size")
    lst.set_defaults(func=_list)
    models.set_defaults(func=lambda args: (models.print_help(), 2)[1])


def _status(args: argparse.Namespace) -> int:
    from generators.runtime.settings import get_settings
    from studio.models_status import role_statuses

    profile = Profile.parse(args.profile or get_settings().profile)
    roles = [Role.parse(r) for r in args.role] if args.role else None
    rows = role_statuses(profile, load=args.load, roles=roles)
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False))
        return 0 if all(r.error is None for r in rows) else 1
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Vitrine models (profile: {profile.value})")
    for col in ("role", "model", "source", "size MB", "load s", "forward s", "result"):
        table.add_column(col, overflow="fold")
    style = {"real": "green", "packaged": "cyan", "placeholder": "yellow", "missing": "red"}
    for r in rows:
        source = f"[{style.get(r.source, '')}]{r.source.upper() if r.placeholder else r.source}[/]"
        table.add_row(
            r.role,
            r.model_id,
            source,
            "-" if r.size_mb is None else f"{r.size_mb:,.1f}",
            "-" if r.load_s is None else f"{r.load_s:.2f}",
            "-" if r.forward_s is None else f"{r.forward_s:.2f}",
            r.detail if not r.error else f"[red]{r.error}[/]",
        )
    console = Console(width=max(Console().width, 140))
    console.print(table)
    if any(r.placeholder for r in rows):
        console.print(
            "[yellow]PLACEHOLDER[/] = random weights, for tests and timing only: their outputs are "
            "meaningless and are labelled as such. Real weights: `vitrine models pull` (needs a network)."
        )
    return 0 if all(r.error is None for r in rows) else 1


def _build(args: argparse.Namespace) -> int:
    from generators.runtime.resolve import build_placeholder

    profile = Profile.parse(args.profile)
    roles = [Role.parse(r) for r in args.roles] if args.roles else list(Role)
    total = time.perf_counter()
    for role in roles:
        start = time.perf_counter()
        folder = build_placeholder(role, profile, force=args.force)
        print(f"{role.value:14s} {time.perf_counter() - start:6.2f} s  {folder}")
    print(f"built {len(roles)} {profile.value} model(s) in {time.perf_counter() - total:.2f} s")
    return 0


def _pull(args: argparse.Namespace) -> int:
    from generators.runtime.pull import pull_role, roles_for_target

    for role in roles_for_target(args.target):
        result = pull_role(role, force=args.force, show_bar=sys.stderr.isatty())
        print(
            f"{role.value:14s} {result.model_id}@{result.revision[:12]}  {result.bytes / 1e6:,.1f} MB  {result.folder}"
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    from generators.runtime.registry import REGISTRY

    for spec in REGISTRY:
        print(
            f"{spec.role.value:14s} {spec.profile.value:9s} {spec.model_id:70s} {spec.license:28s} "
            f"~{spec.expected_size_mb:,.0f} MB"
        )
    return 0
