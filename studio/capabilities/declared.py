"""Every capability Vitrine has or plans, declared once. Adding one = one entry here (see CONTRIBUTING.md).

The order is the order a product's steps run in. Pairing, try-on and video are declared before their code
exists: until `generators/<name>.py` and `studio/batch/<name>_step.py` are written, the batch reports them
unavailable with that reason; once they are, they run, with no other change here.
"""

from __future__ import annotations

from studio.capabilities.spec import Capability

CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        name="ingest",
        label="normalize photos",  # orientation, RGB, size, no EXIF: the listing images the others start from
        step="studio.batch.steps:run_ingest",
    ),
    Capability(
        name="caption",
        label="captions",
        step="studio.batch.words_steps:run_caption",
        pipeline="caption",
        needs=("generators.caption:CaptionPipeline", "scoring.api:get_scorer"),
        cli="studio.cli.words_cmd",
    ),
    Capability(
        name="attributes",
        label="attributes",
        step="studio.batch.words_steps:run_attributes",
        pipeline="attributes",
        needs=("scoring.api:get_scorer", "scoring.attributes:AttributeClassifier"),
    ),
    Capability(
        name="copy",
        label="sales copy",
        step="studio.batch.words_steps:run_copy",
        pipeline="copy",
        options="studio.batch.options:CopyStepOptions",
        # 2: grounding checks fit and invented figures; ranking weighs completeness. 3: design details, size
        # ranges and invented claims are grounded; rejected drafts are kept (earlier drafts are superseded, not lost)
        version="3",
        needs=("generators.copywriter:CopyPipeline", "scoring.api:get_scorer"),
        project_inputs=(("brand_kit", "studio.batch.words_steps:brand_kit_digest"),),
        cli="studio.cli.words_cmd",
    ),
    Capability(
        name="pairing",
        label="outfit pairing",
        step="studio.batch.pairing_step:run_pairing",
        pipeline="pairing",
        # Flat-lays by default; generated looks are opt-in (PairingStepOptions.looks): see pairing_step.py.
        options="studio.batch.pairing_step:PairingStepOptions",
        cli="studio.cli.pairing_cmd",
        gui_panel="studio.gui.panels.pairing:PairingPanel",
    ),
    Capability(
        name="tryon",
        label="try-on",
        step="studio.batch.tryon_step:run_tryon",
        pipeline="tryon",
        # The studio's Try-on tab: another person photo, a painted mask, garment type, N, seed.
        options="studio.batch.tryon_step:TryOnStepOptions",
        cli="studio.cli.tryon_cmd",
        gui_panel="studio.gui.panels.tryon:TryOnPanel",
    ),
    Capability(
        name="video",
        label="video",
        step="studio.batch.video_step:run_video",
        pipeline="video",
        options="studio.batch.video_step:VideoStepOptions",
        cli="studio.cli.video_cmd",
        gui_panel="studio.gui.panels.video:VideoPanel",
    ),
)
