"""Candidate queries and edits of the project store (`Store` inherits them; open a project with `Store`)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from studio.project.rows import (
    Candidate,
    CandidateKind,
    CandidateState,
    Job,
    NewCandidate,
    ProjectError,
    dumps_json,
    generation_group,
    loads_json,
)

PIPELINE_ACTOR = "pipeline"  # who decided, in the approvals log, when a generation rejected its own draft


class CandidateQueries:
    """Reading, reviewing and editing stored candidates. Mixed into `Store`, which owns the connection."""

    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

        def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]: ...

    @staticmethod
    def _candidate(r: sqlite3.Row) -> Candidate:
        return Candidate(
            r["id"],
            r["product_id"],
            r["job_id"],
            CandidateKind(r["kind"]),
            r["rank"],
            r["text"],
            r["file_sha"],
            loads_json(r["params"], {}),
            loads_json(r["provenance"], {}),
            loads_json(r["scores"], {}),
            r["score"],
            CandidateState(r["state"]),
        )

    def candidate(self, candidate_id: int) -> Candidate:
        rows = self._query("SELECT * FROM candidates WHERE id=?", (candidate_id,))
        if not rows:
            raise ProjectError(f"no candidate with id {candidate_id}")
        return self._candidate(rows[0])

    def candidates(
        self,
        product_id: int | None = None,
        kind: CandidateKind | str | None = None,
        state: CandidateState | None = None,
    ) -> list[Candidate]:
        """Candidates filtered by product, kind and state, ordered by product, kind, rank."""
        where, params = [], []
        for col, val in (("product_id", product_id), ("kind", kind), ("state", state.value if state else None)):
            if val is not None:
                where.append(f"{col}=?")
                params.append(val)
        sql = "SELECT * FROM candidates" + (" WHERE " + " AND ".join(where) if where else "")
        return [self._candidate(r) for r in self._query(sql + " ORDER BY product_id, kind, rank, id", params)]

    def set_candidate_state(self, candidate_id: int, state: CandidateState, actor: str = "", note: str = "") -> None:
        """Approve or reject (or re-propose) a candidate; every decision is kept in `approvals`."""
        with self.transaction() as c:
            if c.execute("UPDATE candidates SET state=? WHERE id=?", (state.value, candidate_id)).rowcount == 0:
                raise ProjectError(f"no candidate with id {candidate_id}")
            c.execute(
                "INSERT INTO approvals (candidate_id, decision, actor, note, decided_at) VALUES (?,?,?,?,?)",
                (candidate_id, state.value, actor, note, time.time()),
            )

    def approvals(self, candidate_id: int) -> list[tuple[str, str, str, float]]:
        """(decision, actor, note, time) of every decision on a candidate, oldest first."""
        rows = self._query(
            "SELECT decision, actor, note, decided_at FROM approvals WHERE candidate_id=? ORDER BY id", (candidate_id,)
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def set_candidate_text(self, candidate_id: int, text: str) -> None:
        """Replace a candidate's text (a person's edit), keeping the model's original in its params.

        `params["original_text"]` is written once, at the first edit, so undoing every edit restores it and
        `params["edited"]` says whether the text differs from what the model wrote.
        """
        with self.transaction() as c:
            candidate = self.candidate(candidate_id)
            params = dict(candidate.params)
            params.setdefault("original_text", candidate.text or "")
            params["edited"] = text != params["original_text"]
            c.execute("UPDATE candidates SET text=?, params=? WHERE id=?", (text, dumps_json(params), candidate_id))

    def _supersede(self, c: sqlite3.Connection, job: Job, candidates: Sequence[NewCandidate]) -> int:
        """Mark the job's untouched drafts in the new candidates' generation groups SUPERSEDED (all of them when
        the job now makes nothing, e.g. a product whose photos were removed)."""
        groups = {n.generation_group for n in candidates}
        rows = c.execute(
            "SELECT c.id, c.kind, c.params, c.state FROM candidates c WHERE c.job_id=? AND c.state IN (?, ?)",
            (job.id, CandidateState.PROPOSED.value, CandidateState.REJECTED.value),
        ).fetchall()
        stale = []
        for cid, kind, params_json, state in rows:
            params = loads_json(params_json, {})
            if (groups and generation_group(kind, params) not in groups) or params.get("edited"):
                continue
            if state == CandidateState.REJECTED.value and not self._rejected_by_pipeline(c, cid):
                continue  # a person's rejection is a decision: it stays
            stale.append(cid)
        c.executemany("UPDATE candidates SET state=? WHERE id=?", [(CandidateState.SUPERSEDED.value, i) for i in stale])
        return len(stale)

    @staticmethod
    def _rejected_by_pipeline(c: sqlite3.Connection, candidate_id: int) -> bool:
        last = c.execute(
            "SELECT actor FROM approvals WHERE candidate_id=? ORDER BY id DESC LIMIT 1", (candidate_id,)
        ).fetchone()
        return last is not None and last[0] == PIPELINE_ACTOR
