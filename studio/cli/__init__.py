"""The `vitrine` command line. Each sub-command group lives in its own module with a `register()`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from generators.runtime.environment import prepare_environment

# Each module defines `register(subparsers)` adding its commands; a command's handler is stored as
# `func` on the parsed namespace and returns an exit code. A capability's commands (caption, copy, try-on …)
# come from its declaration (`studio.capabilities`); these are the commands that belong to none.
CORE_COMMAND_MODULES = (
    "studio.cli.models_cmd",
    "studio.cli.scoring_cmd",
    "studio.cli.search_cmd",
    "studio.cli.project_cmd",
    "studio.cli.gui_cmd",
)


def command_modules() -> tuple[str, ...]:
    """Every command module: the core ones, then those the capabilities declare (each once)."""
    from studio.capabilities import cli_modules

    return tuple(dict.fromkeys((*CORE_COMMAND_MODULES, *cli_modules())))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vitrine", description="Vitrine: catalog in, listing content out.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in command_modules():
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that command group is not written yet (e.g. a declared capability's)
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    prepare_environment()  # before any command imports torch
    from generators.runtime.errors import VitrineError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        from generators.runtime.settings import get_settings

        get_settings()  # an unwritable VITRINE_HOME or a broken settings file is reported now, not mid-job
        return int(args.func(args) or 0)
    except VitrineError as exc:
        print(f"vitrine: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("vitrine: interrupted", file=sys.stderr)
        return 130
