"""The capability registry: each capability's pipeline, batch step (options, version), CLI command module and
optional studio panel, found from one declaration in `studio.capabilities.declared`.

    from studio.capabilities import capability, availability
    copy = capability("copy")
    copy.step_function(), copy.options_type(), copy.cli, copy.gui_panel
    availability("tryon")   # Availability(False, "generators.tryon.build_pipeline (pipeline) is not built yet")
"""

from __future__ import annotations

from generators.factory import Availability
from generators.runtime.errors import UnknownNameError
from studio.capabilities.declared import CAPABILITIES
from studio.capabilities.spec import Capability, capability_availability

__all__ = [
    "CAPABILITIES",
    "Availability",
    "Capability",
    "availability",
    "capability",
    "cli_modules",
    "gui_panels",
]

_BY_NAME = {c.name: c for c in CAPABILITIES}


def capability(name: str) -> Capability:
    """The declaration of capability (step) `name`."""
    try:
        return _BY_NAME[str(name)]
    except KeyError:
        raise UnknownNameError("capability", str(name), list(_BY_NAME)) from None


def availability(name: str) -> Availability:
    """Whether capability `name` can run here, and why not (see `capability_availability`)."""
    return capability_availability(capability(name))


def cli_modules() -> tuple[str, ...]:
    """The command modules the capabilities declare, each once, in declaration order."""
    return tuple(dict.fromkeys(c.cli for c in CAPABILITIES if c.cli))


def gui_panels() -> dict[str, str]:
    """capability name -> `module:class` of its studio panel, for those that declare one."""
    return {c.name: c.gui_panel for c in CAPABILITIES if c.gui_panel}
