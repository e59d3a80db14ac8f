"""The contract every pipeline keeps, as tests a pipeline's test class inherits (like diffusers'
`PipelineTesterMixin`).

    class TestCaptionContract(PipelineContract):
        @pytest.fixture(scope="class")
        def pipe(self, tiny_models): ...          # built from tiny (placeholder) components, once
        def get_dummy_request(self, folder, seed=0): ...   # small, seeded, images as files under `folder`
        def signature(self, result): ...          # what must repeat exactly for the same seed

Contract: progress reaches its total; a cancel stops the run within one step and leaves nothing half-written;
the same seed gives the same output; placeholder models are flagged; provenance records every request field,
and the request rebuilt from a stored provenance (JSON, as the project keeps it) makes the same output.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from generators.runtime.pipeline import Pipeline, PipelineResult
from generators.runtime.progress import Cancelled, CancelToken, Progress
from generators.runtime.provenance import request_from_provenance, request_params, to_param


@dataclasses.dataclass
class ContractRun:
    """One run of the dummy request, shared by the class's contract tests (tiny models still cost seconds)."""

    request: Any
    result: Any
    progress: list[Progress]
    folder: Path


class PipelineContract:
    """Mixin of contract tests. A subclass provides the `pipe` fixture (class scope or wider) and the hooks."""

    def get_dummy_request(self, folder: Path, seed: int = 0) -> Any:
        """A small request whose inputs live under `folder`; `seed` must change what is made where it can."""
        raise NotImplementedError

    def signature(self, result: Any) -> Any:
        """The part of a result that must be identical for identical requests (texts, scores, order)."""
        raise NotImplementedError

    def files_written(self, folder: Path) -> list[Path]:
        """Files the pipeline wrote under `folder` beyond its inputs (a pipeline that writes files overrides
        this); after a cancel there must be none that looks finished or half-written."""
        return []

    @pytest.fixture(scope="class")
    @classmethod
    def contract_run(cls, pipe: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> ContractRun:
        folder = tmp_path_factory.mktemp("contract")
        request = cls().get_dummy_request(folder)
        seen: list[Progress] = []
        result = pipe.run(request, progress=seen.append)
        return ContractRun(request, result, seen, folder)

    # ---- the contract -----------------------------------------------------------------------------------
    def test_has_the_pipeline_shape(self, pipe: Pipeline, contract_run: ContractRun) -> None:
        assert isinstance(pipe, Pipeline) and isinstance(contract_run.result, PipelineResult)
        for obj in (contract_run.request, contract_run.result):
            assert dataclasses.is_dataclass(obj) and type(obj).__dataclass_params__.frozen, type(obj)

    def test_progress_reaches_its_total(self, contract_run: ContractRun) -> None:
        seen = contract_run.progress
        assert seen, "no progress was reported"
        assert seen[-1].total > 0 and seen[-1].step == seen[-1].total
        assert all(0 <= p.step <= p.total for p in seen if p.total > 0)

    def test_cancel_stops_within_one_step_and_leaves_nothing(self, pipe: Pipeline, tmp_path: Path) -> None:
        request = self.get_dummy_request(tmp_path)
        token = CancelToken()
        after: list[Progress] = []

        def cancel_at_first_report(p: Progress) -> None:
            if token.cancelled:
                after.append(p)
            token.cancel()

        with pytest.raises(Cancelled):
            pipe.run(request, progress=cancel_at_first_report, cancel=token)
        assert len(after) <= 1, f"kept working after the cancel: {after}"
        assert self.files_written(tmp_path) == []

    def test_same_seed_gives_the_same_output(self, pipe: Pipeline, contract_run: ContractRun) -> None:
        again = pipe.run(self.get_dummy_request(contract_run.folder))
        assert self.signature(again) == self.signature(contract_run.result)

    def test_placeholder_models_are_flagged(self, contract_run: ContractRun) -> None:
        prov = contract_run.result.provenance
        assert prov.models and all(m.placeholder for m in prov.models)  # tiny models have random weights
        assert prov.placeholder and prov.to_dict()["placeholder"] is True

    def test_provenance_records_every_request_field(self, contract_run: ContractRun) -> None:
        request, params = contract_run.request, contract_run.result.provenance.params
        for f in dataclasses.fields(request):
            assert f.name in params, f"provenance leaves out request field '{f.name}'"
            assert params[f.name] == to_param(getattr(request, f.name)), f.name
        json.dumps(params)  # stored as JSON in the project

    def test_request_rebuilt_from_stored_provenance_remakes_the_output(
        self, pipe: Pipeline, contract_run: ContractRun
    ) -> None:
        stored = json.loads(json.dumps(contract_run.result.provenance.to_dict()))  # as an asset keeps it
        rebuilt = request_from_provenance(type(contract_run.request), stored)
        assert request_params(rebuilt) == request_params(contract_run.request)
        assert self.signature(pipe.run(rebuilt)) == self.signature(contract_run.result)
