"""Pure logic of the words pipelines (presets, parsing, constraints, grounding, attribute sheets, ranking).

Nothing here imports torch; `generators.caption` and `generators.copywriter` hold the pipelines.
"""
