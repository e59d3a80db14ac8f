"""The process environment the CLI and the studio's job worker share."""

from __future__ import annotations

from generators.runtime.environment import ENVIRONMENT_DEFAULTS, prepare_environment
from generators.runtime.errors import VitrineError, describe_error


def test_defaults_fill_only_what_the_user_left_unset():
    environ = {"HF_HUB_OFFLINE": "0"}  # a user who asked for the network keeps it
    prepare_environment(environ)
    assert environ["HF_HUB_OFFLINE"] == "0"
    assert environ["OMP_WAIT_POLICY"] == "PASSIVE" and environ["TOKENIZERS_PARALLELISM"] == "false"
    assert 0 < int(environ["GOMP_SPINCOUNT"]) <= 100_000  # a short spin, never the default ~3 ms
    assert set(environ) == set(ENVIRONMENT_DEFAULTS)


def test_cli_and_job_worker_use_the_one_setup():
    import inspect

    import studio.cli
    import studio.jobs.worker

    for module in (studio.cli, studio.jobs.worker):
        source = inspect.getsource(module)
        assert "prepare_environment()" in source


def test_describe_error_is_one_line_a_person_can_read():
    assert describe_error(VitrineError("image 'a.jpg' is truncated")) == "image 'a.jpg' is truncated"
    assert describe_error(KeyError("sku")) == "KeyError: 'sku'"
    assert describe_error(ValueError("first line\n  File x, line 3")) == "ValueError: first line"
    assert describe_error(RuntimeError()) == "RuntimeError"
