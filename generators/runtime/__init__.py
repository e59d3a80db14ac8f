"""Model registry, profiles, loading, device/dtype, progress and cancellation."""
