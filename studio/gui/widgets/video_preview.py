"""A video's preview: its poster frame, and playback through QtMultimedia where this Qt build has it.

The player is made on the first Play, not before: building a media backend costs time and, on machines
without one (offscreen servers, some Linux set-ups), QtMultimedia is absent or cannot play. There the poster
frame stays and Play says why it is off.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from studio.gui.widgets.thumbnail_tiles import ThumbnailLabel
from studio.project.thumbnails import ThumbnailDiskCache


@cache
def multimedia_classes() -> tuple[Any, Any, Any] | None:
    """(QMediaPlayer, QAudioOutput, QVideoWidget), or None when this Qt has no QtMultimedia."""
    try:
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
        from PySide6.QtMultimediaWidgets import QVideoWidget
    except ImportError:
        return None
    return QMediaPlayer, QAudioOutput, QVideoWidget


class VideoPreview(QWidget):
    """The poster of a video, with Play / Pause when playback is available.

    Args:
        edge: side of the square the poster (and the player) fills.
        labels: "play", "pause", "no_player" (why Play is off), "empty" (nothing rendered yet).
    """

    def __init__(self, edge: int, labels: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edge = edge
        self._labels = dict(labels)
        self.video: Path | None = None
        self.player: Any = None
        self.video_widget: Any = None
        self._audio: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        self.stack.setFixedSize(edge, edge)
        self.poster = ThumbnailLabel(edge)
        self.stack.addWidget(self.poster)
        layout.addWidget(self.stack, 0, Qt.AlignmentFlag.AlignHCenter)
        bar = QHBoxLayout()
        self.play_button = QPushButton()
        self.play_button.clicked.connect(self.toggle_play)
        bar.addWidget(self.play_button)
        self.note = QLabel(objectName="muted")
        self.note.setWordWrap(True)
        bar.addWidget(self.note, 1)
        layout.addLayout(bar)
        self.set_labels(self._labels)

    @property
    def can_play(self) -> bool:
        return multimedia_classes() is not None

    @property
    def playing(self) -> bool:
        return self.player is not None and self.stack.currentWidget() is self.video_widget

    def set_labels(self, labels: dict[str, str]) -> None:
        """The preview's words in the UI language."""
        self._labels = dict(labels)
        self._refresh()

    def set_video(self, video: Path | None, poster: Path | None, disk_cache: ThumbnailDiskCache | None = None) -> None:
        """Show `video`'s poster (None, None: nothing rendered yet); playback stops."""
        self.stop()
        self.video = video
        self.poster.show_photo(poster, disk_cache)
        self._refresh()

    def toggle_play(self) -> None:
        """Play the video from the start, or pause it."""
        if self.video is None or not self.can_play:
            return
        if self.playing:
            self.stop()
            return
        if self.player is None:
            player_type, audio_type, widget_type = multimedia_classes()  # type: ignore[misc]
            self.video_widget = widget_type()
            self.stack.addWidget(self.video_widget)
            self._audio = audio_type(self)
            self.player = player_type(self)
            self.player.setAudioOutput(self._audio)
            self.player.setVideoOutput(self.video_widget)
            self.player.mediaStatusChanged.connect(self._status_changed)
        self.player.setSource(QUrl.fromLocalFile(str(self.video)))
        self.stack.setCurrentWidget(self.video_widget)
        self.player.play()
        self._refresh()

    def stop(self) -> None:
        """Stop playback and show the poster again."""
        if self.player is not None:
            self.player.stop()
        self.stack.setCurrentWidget(self.poster)
        self._refresh()

    def _status_changed(self, status: Any) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if status in (QMediaPlayer.MediaStatus.EndOfMedia, QMediaPlayer.MediaStatus.InvalidMedia):
            self.stop()  # the poster again, ready for another Play

    def _refresh(self) -> None:
        self.play_button.setText(self._labels.get("pause" if self.playing else "play", ""))
        # QtMultimedia is looked for only once there is a video to play: importing it costs window start-up time.
        self.play_button.setEnabled(self.video is not None and self.can_play)
        if self.video is None:
            note = self._labels.get("empty", "")
        elif not self.can_play:
            note = self._labels.get("no_player", "")
        else:
            note = ""
        self.note.setText(note)
        self.note.setVisible(bool(note))
