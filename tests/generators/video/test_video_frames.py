"""Frame making: colours through the encoder's YCbCr, overlay layers, clips made ahead, the writer thread."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

from generators.video import VideoPipeline, VideoRequest, overlay, timeline, yuv
from generators.video.encoder import FrameWriter, PixelFormat, contract_problems, ffmpeg_exe

COLOURS = [(200, 60, 40), (30, 140, 220), (250, 230, 90), (20, 20, 20), (245, 245, 245)]


def _decoded_rgb(path, size):
    w, h = size
    cmd = [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)


def test_colours_survive_the_ycbcr_round_trip_and_match_ffmpegs_own_conversion():
    rgb = np.zeros((8, 2 * len(COLOURS), 3), np.uint8)
    for i, c in enumerate(COLOURS):
        rgb[:, 2 * i : 2 * i + 2] = c
    ycc = yuv.from_rgb(rgb)
    assert np.abs(yuv.to_rgb(ycc).astype(int) - rgb).max() <= 3
    h, w = rgb.shape[:2]
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-i", "-"]
    cmd += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]
    by_ffmpeg = np.frombuffer(
        subprocess.run(cmd, input=rgb.tobytes(), capture_output=True, check=True).stdout, np.uint8
    )
    ours = yuv.to_i420(ycc)
    assert ours.size == yuv.i420_size((w, h)) == by_ffmpeg.size
    assert np.abs(ours.astype(int) - by_ffmpeg).max() <= 2  # limited range, Cb before Cr, as swscale writes


def test_chroma_is_the_mean_of_each_two_by_two_block_not_one_sample():
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[:, 0] = (255, 0, 0)  # red beside black: the block's colour is dark red, not red
    i420 = yuv.to_i420(yuv.from_rgb(rgb))
    both = yuv.to_i420(yuv.from_rgb(np.full((2, 2, 3), (128, 0, 0), np.uint8)))
    assert abs(int(i420[5]) - int(both[5])) <= 2 and abs(int(i420[4]) - int(both[4])) <= 2  # Cr, Cb


@pytest.mark.parametrize("opacity", [1.0, 0.4])
def test_a_layer_blends_like_the_float_formula_and_clips_at_the_frame_edge(opacity):
    card = overlay.text_card("Brass rivets", width=120, font_px=20)
    sprite = overlay.Sprite.from_image(card, -10, 30)  # hangs off the left edge
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, (80, 100, 3), dtype=np.uint8)
    drawn = frame.copy()
    overlay.Layer.from_sprite(sprite).draw(drawn, opacity)
    expected = frame.astype(np.float64)
    part = expected[30 : 30 + sprite.height, : sprite.width - 10]
    a, rgb = sprite.alpha[:, 10:] * opacity, sprite.rgb[:, 10:] * opacity
    part[:] = part * (1 - a[: part.shape[0]]) + rgb[: part.shape[0]]
    assert np.abs(drawn - expected).max() <= 2
    assert np.array_equal(drawn[:30], frame[:30]) and not np.array_equal(drawn[30:], frame[30:])


def test_a_layer_in_ycbcr_gives_the_colour_the_rgb_blend_gives():
    card = overlay.text_card("$39", width=90, font_px=24, color=(255, 221, 87))
    sprite = overlay.Sprite.from_image(card, 5, 5)
    frame = np.full((60, 100, 3), (40, 90, 160), np.uint8)
    in_rgb = frame.copy()
    overlay.Layer.from_sprite(sprite).draw(in_rgb, 0.7)
    in_ycc = yuv.from_rgb(frame)
    overlay.Layer.from_sprite(sprite, yuv.from_rgb).draw(in_ycc, 0.7)
    assert np.abs(yuv.to_rgb(in_ycc).astype(int) - in_rgb).mean() < 1.5


def test_photo_clips_are_made_a_few_at_a_time_shortly_before_they_show():
    size, fps = (32, 48), 30
    lengths = timeline.split_frames(150, [1.0] * 5, fps)
    current = {"frame": 0}
    made_at: dict[int, int] = {}

    def make(k):
        def run():
            made_at[k] = current["frame"]
            canvas = np.full((56, 37, 3), 40 * k, np.uint8)
            return timeline.PhotoClip(f"p{k}", canvas, (18.0, 28.0), zoom_in=True)

        return run

    pending = [timeline.PendingPhoto(f"p{k}", True, make(k)) for k in range(5)]
    slots = timeline.lay_out(pending, lengths, fps, seed=0)
    source = timeline.FrameSource(slots, size, fps)
    try:
        for f in range(150):
            current["frame"] = f
            frame = source.frame(f)
            k = next(k for k, s in enumerate(slots) if s.start <= f < s.end)
            if f == slots[k].start + 1 and k + 1 < len(slots) and f < slots[k + 1].start:
                assert abs(int(frame.mean()) - 40 * k) <= 1  # the clip showing is the right photo
    finally:
        source.close()
    assert sorted(made_at) == [0, 1, 2, 3, 4]
    for k in range(timeline.PREPARED_AHEAD, 5):  # never before the clip two places earlier has ended
        assert made_at[k] >= slots[k - timeline.PREPARED_AHEAD].end


def test_the_writer_reports_a_failed_encoder_instead_of_hanging(tmp_path):
    size = (64, 48)
    with pytest.raises(ValueError, match="bytes"):
        FrameWriter(tmp_path / "a.mp4", size, 30, 2, pixel_format=PixelFormat.YUV420P).write(
            np.zeros((48, 64, 3), np.uint8)  # an RGB frame where yuv420p was promised
        )
    writer = FrameWriter(tmp_path / "no" / "such" / "folder" / "v.mp4", size, 30, 60, pixel_format="yuv420p")
    frame = np.zeros(yuv.i420_size(size), np.uint8)
    with pytest.raises(RuntimeError, match="ffmpeg"):
        for _ in range(60):
            writer.write(frame.copy())
        writer.close()
    writer.abort()


def test_a_flat_photo_keeps_its_colour_in_the_video_and_the_poster(tmp_path):
    colour = (200, 60, 40)
    photo = tmp_path / "flat.png"
    Image.new("RGB", (200, 300), colour).save(photo)
    size = (96, 160)
    result = VideoPipeline().run(VideoRequest(tmp_path / "v.mp4", photos=(photo,), duration_s=0.5, frame_size=size))
    assert contract_problems(result.path, size, 30, 15) == []
    frames = _decoded_rgb(result.path, size)
    assert len(frames) == 15
    assert np.abs(frames[:, 20:-20, 20:-20].reshape(-1, 3).mean(axis=0) - colour).max() < 4
    with Image.open(result.poster) as poster:
        still = np.asarray(poster.convert("RGB")).astype(int)
    assert np.abs(still[20:-20, 20:-20].reshape(-1, 3).mean(axis=0) - colour).max() < 4
    assert np.abs(still - frames[3]).mean() < 3  # the poster is the video's frame at a fifth of its length
