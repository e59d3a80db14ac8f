"""Each capability panel's words, one Qt-free module per panel, joined into `studio.gui.i18n.STRINGS`.

The core table in `studio.gui.i18n` stays the studio's shared words; a panel's own labels live beside each other
here so adding a panel does not grow one file past what a person can read.
"""

from __future__ import annotations

from studio.gui.strings import batch, gallery, pairing, tryon, video

PANEL_STRINGS: dict[str, tuple[str, str]] = {}
for _module in (batch, gallery, pairing, tryon, video):
    _clash = PANEL_STRINGS.keys() & _module.STRINGS.keys()
    if _clash:
        raise ValueError(f"{_module.__name__} redefines {sorted(_clash)}")
    PANEL_STRINGS.update(_module.STRINGS)
