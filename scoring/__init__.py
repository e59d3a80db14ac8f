"""CLIP scoring: CLIPScore, ranking, zero-shot attributes and retrieval. Qt-free; never imports `studio`."""
