"""Vitrine's ML pipelines. Qt-free; never imports `studio`."""
