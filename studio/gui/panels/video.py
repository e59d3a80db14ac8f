"""The Product page's Video tab: pick a platform preset, see what the video is made of (the photo timeline, or
the footage shots with their CLIP scores), render with progress and cancel, preview, and approve the videos.

A render is the batch's video step for the open product (`ProductStepRequest`), so the studio and
`vitrine batch --recipe video` make the same video from the same options. The shown inputs come from the
step's own rule (`studio.batch.video_step.product_video_inputs`); the shots from the selected video's record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from studio.batch.recipe import StepName
from studio.batch.video_step import VideoStepOptions, product_video_inputs
from studio.gui import services
from studio.gui.jobs import Job
from studio.gui.panels import ProductPanel
from studio.gui.state import StudioState
from studio.gui.widgets.elided_label import ElidedLabel
from studio.gui.widgets.image_gallery import ImageGallery, gallery_labels, review_through_undo
from studio.gui.widgets.media_strip import MediaStrip, StripTile
from studio.gui.widgets.video_preview import VideoPreview
from studio.project.rows import CandidateKind
from studio.project.thumbnails import project_thumbnail_cache

DRAFT_SCALE = 6  # a draft renders at 1/6 of the preset's size (1080×1920 → 180×320): seconds, not minutes
PREVIEW_EDGE = 220
STRIP_EDGE = 56
GALLERY_EDGE = 200  # narrower, a card's Approve / Reject buttons are cut off


def shot_score_100(cos: float | None) -> int | None:
    """A shot's CLIP cosine on the 0-100 display scale the studio's CLIP badges use."""
    from scoring.scores import clip_score_display

    return None if cos is None else int(round(clip_score_display(cos)))


class VideoPanel(ProductPanel):
    """Product videos for the open product: preset, inputs, render / cancel, preview, gallery with review."""

    tab_key = "video.tab"
    step = StepName.VIDEO

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.selected_id: int | None = None
        self._seen: tuple[int | None, set[int]] = (None, set())  # (product id, its videos shown so far)
        self._presets: dict[str, Any] = {}
        lay = self.layout_

        # -- the render bar: preset, length, draft, Render / Cancel, progress. One row, the pickers named by their
        # tooltips (their items say what they are: "Douyin 9:16 · 1080×1920", "15 s"): at 1280×800 every row
        # above the gallery cut off its cards' Approve / Reject buttons in Chinese.
        bar = QHBoxLayout()
        bar.setSpacing(10)
        self.preset = QComboBox()
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.length = QComboBox()
        self.length.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.draft = QCheckBox()
        self.draft.setChecked(True)
        self.draft.toggled.connect(self._preset_changed)
        self.render_button = QPushButton(objectName="primary")
        self.render_button.clicked.connect(self.render)
        self.cancel_button = QPushButton()
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(120)
        for w in (self.preset, self.length, self.draft, self.render_button, self.cancel_button):
            bar.addWidget(w)
        bar.addWidget(self.progress, 1)
        bar.addStretch(0)
        lay.addLayout(bar)
        # The preset's size and limits, then what the last render said (warnings, as the step wrote them) on the
        # same line, elided, the whole text in its tooltip.
        facts = QHBoxLayout()
        facts.setSpacing(16)
        self.limits = QLabel(objectName="muted")
        facts.addWidget(self.limits)
        self.note = ElidedLabel("", objectName="muted")
        self.note.setProperty("data", True)
        self.note.setStyleSheet("color: #b45309;")  # amber, like the studio's placeholder notices
        facts.addWidget(self.note, 1)
        lay.addLayout(facts)

        # -- what the video is made of: the photo timeline beside the footage shots (one row: at 1280×800 two
        # rows left the gallery no room for its cards' buttons)
        inputs = QGridLayout()
        inputs.setHorizontalSpacing(16)
        inputs.setVerticalSpacing(2)
        self.timeline_title = QLabel()
        self.timeline = MediaStrip(STRIP_EDGE)
        self.shots_title = QLabel()
        self.shots = MediaStrip(STRIP_EDGE)
        for title in (self.timeline_title, self.shots_title):
            title.setStyleSheet("font-weight: 600;")  # a heading at the body's size: the gallery needs the height
        inputs.addWidget(self.timeline_title, 0, 0)
        inputs.addWidget(self.timeline, 1, 0)
        inputs.addWidget(self.shots_title, 0, 1)
        inputs.addWidget(self.shots, 1, 1)
        inputs.setColumnStretch(0, 1)
        inputs.setColumnStretch(1, 1)
        lay.addLayout(inputs)

        # -- the selected video's preview beside the gallery of rendered videos
        # (no headings: the poster with its Play button and the cards say what they are, and at 1280×800 a
        # heading's height cut off the cards' Approve / Reject row)
        below = QHBoxLayout()
        left = QVBoxLayout()
        self.preview = VideoPreview(PREVIEW_EDGE, {})
        left.addWidget(self.preview)
        left.addStretch(1)
        below.addLayout(left)
        self.gallery = ImageGallery(GALLERY_EDGE)
        review_through_undo(self.gallery, state)
        self.gallery.selected.connect(self.select_video)
        below.addWidget(self.gallery, 1)
        lay.addLayout(below, 1)
        for w in (self.render_button, self.cancel_button, self.draft):
            w.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        state.runner.job_changed.connect(self._job_changed)
        state.runner.job_finished.connect(self._job_changed)
        self._show_job()
        self.retranslate()

    # ---- presets ------------------------------------------------------------------------------------
    def _ensure_presets(self) -> None:
        # Read when first needed, not with the window: the video package brings OpenCV along.
        if not self._presets:
            from generators.video.presets import all_presets

            self._presets = dict(all_presets())
            self._fill_presets()

    def _fill_presets(self) -> None:
        current = self.preset.currentData() or "douyin"
        self.preset.blockSignals(True)
        self.preset.clear()
        for name, p in self._presets.items():
            shown = self.state.tr.name("video_preset", name)
            self.preset.addItem(f"{shown} · {p.size[0]}×{p.size[1]}", name)
        self.preset.setCurrentIndex(max(0, self.preset.findData(current)))
        self.preset.blockSignals(False)
        self._preset_changed()

    def _preset_changed(self, *_: object) -> None:
        p = self._presets.get(self.preset.currentData())
        if p is None:
            return
        current = self.length.currentData()
        self.length.clear()
        for seconds in p.durations_s:
            self.length.addItem(self.t("video.seconds", n=f"{seconds:g}"), seconds)
        self.length.setCurrentIndex(max(0, self.length.findData(current)))
        w, h = p.size
        self.limits.setText(
            self.t("video.limits", w=w, h=h, fps=p.fps, max=f"{p.max_s:g}")
            + (self.t("video.draft_size", w=w // DRAFT_SCALE, h=h // DRAFT_SCALE) if self.draft.isChecked() else "")
        )

    def options(self) -> VideoStepOptions:
        """The render the bar asks for (a draft renders at 1/DRAFT_SCALE of the preset's size)."""
        self._ensure_presets()
        name = str(self.preset.currentData())
        size: tuple[int | None, int | None] = (None, None)
        if self.draft.isChecked():
            w, h = self._presets[name].size
            size = (w // DRAFT_SCALE // 2 * 2, h // DRAFT_SCALE // 2 * 2)
        return VideoStepOptions(preset=name, duration_s=self.length.currentData(), width=size[0], height=size[1])

    # ---- ProductPanel -------------------------------------------------------------------------------
    def retranslate(self) -> None:
        t = self.t
        self.preset.setToolTip(t("video.preset"))
        self.length.setToolTip(t("video.length"))
        self.draft.setText(t("video.draft"))
        self.draft.setToolTip(t("video.draft_tip"))
        self.render_button.setText(t("video.render"))
        self.cancel_button.setText(t("jobs.cancel"))
        self.preview.setToolTip(t("video.preview"))
        labels = gallery_labels(self.state)
        labels.update(empty=t("video.no_videos"), empty_hint=t("video.no_videos_hint"))
        self.gallery.set_labels(labels)
        self.preview.set_labels(
            {"play": t("video.play"), "pause": t("video.pause"), "no_player": t("video.no_player"), "empty": ""}
        )
        if self._presets:
            self._fill_presets()
        self.show_product()

    def show_product(self) -> None:
        store, product = self.state.store, self.product
        if store is None or product is None:
            return
        self._ensure_presets()
        cache = project_thumbnail_cache(store.folder)
        inputs = product_video_inputs(store, product.id)
        self.timeline_title.setText(self.t("video.timeline", n=len(inputs.photos)))
        self.timeline.set_tiles(
            [
                StripTile(str(p), f"{i + 1}", inputs.name(p))
                for i, p in enumerate(inputs.photos)  # in the order the video shows them
            ],
            cache,
        )
        self.timeline.setVisible(bool(inputs.photos))
        views = services.image_candidate_views(store, product.id, CandidateKind.VIDEO, image_param="poster_sha")
        by_id = {c.id: c for c in store.candidates(product.id, CandidateKind.VIDEO)}
        for view in views:
            params = by_id[int(view.id)].params
            preset = self.state.tr.name("video_preset", str(params.get("preset", "")))
            seconds = self.t("video.seconds", n=f"{float(params.get('duration_s') or 0):g}")
            view.title = f"{preset} · {seconds}"
        self.gallery.set_candidates(views, cache)
        shown = {int(v.id) for v in views}
        seen_product, seen = self._seen
        fresh = shown - seen if seen_product == product.id else set()
        if fresh:  # a render just finished: show it
            self.selected_id = max(fresh)
        elif self.selected_id not in shown:  # another product, or the one shown became history: the newest
            live = [int(v.id) for v in views if not v.rejected] or sorted(shown)
            self.selected_id = max(live) if live else None
        self._seen = (product.id, shown)
        chosen = by_id.get(self.selected_id) if self.selected_id is not None else None
        self._show_shots(chosen, len(inputs.footage))
        self._show_preview(chosen)
        note = services.job_note(store, product.id, StepName.VIDEO)
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def on_shown(self) -> None:
        self._ensure_presets()

    def generate(self) -> Job | None:
        return self.render()

    # ---- inputs, preview ----------------------------------------------------------------------------
    def _show_shots(self, video: Any, footage_files: int) -> None:
        shots = list(video.params.get("shots") or []) if video is not None else []
        assets = self.state.store.assets if self.state.store is not None else None
        tiles = []
        for shot in shots:
            score = shot_score_100(shot.get("clip_score"))
            sha = shot.get("keyframe_sha")
            image = str(assets.path_for(sha)) if sha and assets is not None and assets.has(sha) else ""
            caption = ("✓ " if shot.get("chosen") else "") + (
                "–" if score is None else str(score)
            )  # the heading says CLIP
            tip = self.t(
                "video.shot_tip",
                source=Path(str(shot.get("source", ""))).name,
                start=f"{float(shot.get('start_s', 0)):.1f}",
                end=f"{float(shot.get('end_s', 0)):.1f}",
                used=self.t("video.shot_used") if shot.get("chosen") else self.t("video.shot_unused"),
            )
            tiles.append(StripTile(image, caption, tip, bool(shot.get("chosen"))))
        self.shots.set_tiles(tiles)
        if shots:
            self.shots_title.setText(self.t("video.shots", n=len(shots)))
        elif footage_files:
            self.shots_title.setText(self.t("video.shots_pending", n=footage_files))
        self.shots_title.setVisible(bool(shots or footage_files))
        self.shots.setVisible(bool(shots))

    def _show_preview(self, video: Any) -> None:
        store = self.state.store
        if video is None or store is None or not video.file_sha:
            self.preview.set_video(None, None)
            return
        poster_sha = str(video.params.get("poster_sha") or "")
        poster = store.assets.path_for(poster_sha) if poster_sha and store.assets.has(poster_sha) else None
        self.preview.set_video(store.assets.path_for(video.file_sha), poster, project_thumbnail_cache(store.folder))

    def select_video(self, candidate_id: int | str) -> None:
        """Preview a rendered video, show the shots it used, and open its provenance (the gallery's Details)."""
        self.selected_id = int(candidate_id)
        store = self.state.store
        if store is None or self.product is None:
            return
        video = store.candidate(self.selected_id)
        self._show_shots(video, len(product_video_inputs(store, self.product.id).footage))
        self._show_preview(video)
        self.show_details(self.selected_id)

    # ---- render and cancel --------------------------------------------------------------------------
    def render(self) -> Job | None:
        """Render the open product's video with the bar's options (the Jobs dock shows it too)."""
        if self.running():
            return None
        job = self.submit_step(self.options())
        self._show_job()
        return job

    def cancel(self) -> None:
        """Ask the render to stop; the window stays usable while the worker reaches its next frame."""
        if self.running():
            self.state.runner.cancel(self.last_job.id)  # type: ignore[union-attr]
            self._show_job()

    def running(self) -> bool:
        return self.last_job is not None and not self.last_job.state.finished

    def _job_changed(self, job_id: int) -> None:
        if self.last_job is not None and job_id == self.last_job.id:
            self._show_job()

    def _show_job(self) -> None:
        job, running = self.last_job, self.running()
        self.render_button.setEnabled(not running)
        self.cancel_button.setEnabled(running and not (job is not None and job.cancel_requested))
        self.progress.setVisible(running)  # once over, the Jobs dock keeps the outcome; a failure shows below
        if job is None:
            return
        self.progress.setValue(int(round(100 * job.fraction)))
        # The bar counts the job's steps (photos, then the video); the frames counted are in its message.
        shown = self.t("video.cancelling") if job.cancel_requested else job.message or self.t("video.rendering")
        self.progress.setFormat(shown.replace("%", "%%"))
        if job.error and not running:
            self.note.setText(job.error)
            self.note.setVisible(True)
