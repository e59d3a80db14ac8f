"""Whether the copywriter model is big enough to write a language well, and how to switch when it is not.

Measured on the sample catalog: SmolLM2-135M (the packaged model) writes English drafts that repeat
themselves and pad with filler, and Chinese that parrots the prompt's worked example. Under these sizes a
draft is labelled "draft quality: small model" in the CLI, the batch job's message, the report and the
studio's Copy tab, with the command and the setting that switch to a larger model.
"""

from __future__ import annotations

from generators.words.presets import Language

SMALL_MODEL_LABEL = "draft quality: small model"
# Parameters below which a chat model's drafts in a language need heavy editing (Chinese needs more).
MIN_PARAMS = {Language.EN: 500_000_000, Language.ZH: 1_000_000_000}
SWITCH_HINT = (
    "for better drafts run `vitrine models pull copywriter` (Qwen2.5-1.5B-Instruct, needs a network), "
    'or point VITRINE_MODEL_COPYWRITER (or `copywriter = "<folder>"` under [models] in the settings file) '
    "at a larger chat model's folder"
)


def small_model_notice(model_id: str, parameters: int, language: Language) -> str:
    """The "draft quality: small model" warning for `language`, or "" when the model is big enough."""
    if parameters <= 0 or parameters >= MIN_PARAMS[language]:
        return ""
    size = f"{parameters / 1e9:.1f}B" if parameters >= 1e9 else f"{parameters / 1e6:.0f}M"
    name = "Chinese" if language is Language.ZH else "English"
    return f"{SMALL_MODEL_LABEL}: {model_id} ({size} parameters) is too small to write {name} copy well; {SWITCH_HINT}"
