"""Load and forward time for each role and each profile available here; prints one JSON object.

    python bench/models.py [--build-perf] [--profiles tiny,perf,packaged,standard]

Perf placeholders (full-size architectures, random weights) are measured when already built
(`vitrine models build perf`) or when --build-perf is given. Times are wall-clock seconds, cold load
(no model cache), forward = the role's smoke pass (one small forward; 1 diffusion step).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def measure(role, profile) -> dict:
    from generators.runtime.adapter import adapter_for
    from generators.runtime.loading import load_model

    loaded = load_model(role, profile, use_cache=False)
    adapter = adapter_for(role)
    start = time.perf_counter()
    detail = adapter.smoke(loaded.components)
    forward_s = time.perf_counter() - start
    return {
        "load_s": round(loaded.load_s, 3),
        "forward_s": round(forward_s, 3),
        "source": loaded.resolved.source.value,
        "model_id": loaded.resolved.model_id,
        "dtype": loaded.dtype,
        "device": loaded.device,
        "result": detail,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-perf", action="store_true")
    parser.add_argument("--profiles", default="tiny,perf,packaged,standard")
    args = parser.parse_args()

    from generators.runtime.errors import VitrineError
    from generators.runtime.resolve import build_placeholder, is_complete, placeholder_folder
    from generators.runtime.roles import Profile, Role
    from generators.runtime.settings import get_settings

    settings = get_settings()
    wanted = [Profile.parse(p) for p in args.profiles.split(",") if p]
    out: dict[str, dict] = {}
    for role in Role:
        out[role.value] = {}
        for profile in wanted:
            if profile is Profile.PERF and not is_complete(placeholder_folder(role, profile, settings)):
                if not args.build_perf:
                    continue
                build_placeholder(role, profile, settings)
            try:
                out[role.value][profile.value] = measure(role, profile)
            except VitrineError:
                continue  # not available here (e.g. no packaged or pulled weights for this role)
            finally:
                from generators.runtime.loading import MODEL_CACHE

                MODEL_CACHE.clear()
    from bench.machine import machine_fields

    print(json.dumps({**out, **machine_fields()}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
