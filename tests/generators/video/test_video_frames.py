"""Frame making: colours through the encoder's YCbCr, overlay layers, clips made ahead, the writer thread."""

from __future__ import annotations

import subprocess

import cv2
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


def test_colours_survive_the_yuv420p_round_trip_and_match_ffmpegs_own_conversion():
    rgb = np.zeros((8, 2 * len(COLOURS), 3), np.uint8)
    for i, c in enumerate(COLOURS):
        rgb[:, 2 * i : 2 * i + 2] = c
    h, w = rgb.shape[:2]
    ours = yuv.rgb_to_i420(rgb)
    assert np.abs(yuv.i420_to_rgb(ours, (w, h)).astype(int) - rgb).max() <= 3
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-i", "-"]
    cmd += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]
    by_ffmpeg = np.frombuffer(
        subprocess.run(cmd, input=rgb.tobytes(), capture_output=True, check=True).stdout, np.uint8
    )
    assert ours.size == yuv.i420_size((w, h)) == by_ffmpeg.size
    assert np.abs(ours.astype(int) - by_ffmpeg).max() <= 2  # limited range, Cb before Cr, as swscale writes


def test_chroma_is_the_mean_of_each_two_by_two_block_not_one_sample():
    rgb = np.zeros((2, 2, 3), np.uint8)
    rgb[:, 0] = (255, 0, 0)  # red beside black: the block's colour is dark red, not red
    i420 = yuv.rgb_to_i420(rgb)
    both = yuv.rgb_to_i420(np.full((2, 2, 3), (128, 0, 0), np.uint8))
    assert abs(int(i420[5]) - int(both[5])) <= 2 and abs(int(i420[4]) - int(both[4])) <= 2  # Cr, Cb


def _test_canvas(h=96, w=64):
    rng = np.random.default_rng(1)
    rgb = cv2.GaussianBlur(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), (0, 0), 2)
    rgb[30:50, 20:36] = (250, 40, 30)  # a sharp red patch: chroma misplaced by half a sample would show
    return rgb


def _centroid(plane, threshold):
    ys, xs = np.nonzero(plane > threshold)
    weights = plane[ys, xs].astype(np.float64) - threshold
    return np.array([(xs * weights).sum(), (ys * weights).sum()]) / weights.sum()


@pytest.mark.parametrize(("scale", "tx", "ty"), [(0.87, -3.3, -5.6), (0.93, -1.125, -2.62), (1.0, -4.4, -2.1)])
def test_zooming_the_planes_matches_warping_rgb_then_converting(scale, tx, ty):
    size = (48, 80)
    m = np.float32([[scale, 0, tx], [0, scale, ty]])

    def warped(rgb):
        return yuv.rgb_to_i420(cv2.warpAffine(rgb, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE))

    smooth = cv2.GaussianBlur(_test_canvas(), (0, 0), 3)  # no hard edge: interpolators agree to a level or two
    diff = np.abs(yuv.Canvas.from_rgb(smooth).zoomed(scale, tx, ty, size).astype(int) - warped(smooth))
    assert diff.max() <= 5 and diff.mean() < 1.0
    # A hard-edged spot lands within a fifth of a pixel of where an exact warp puts it (a third of a
    # chroma sample for its colour): sub-pixel zooms, not whole-pixel jumps.
    spot = np.zeros((96, 64, 3), np.uint8)
    spot[41:47, 27:31] = (250, 40, 30)
    ours, exact = yuv.Canvas.from_rgb(spot).zoomed(scale, tx, ty, size), warped(spot)
    y_ours, cb_ours, cr_ours = yuv.plane_views(ours, size)
    y_exact, cb_exact, cr_exact = yuv.plane_views(exact, size)
    assert np.abs(_centroid(y_ours, 16) - _centroid(y_exact, 16)).max() <= 0.2
    assert np.abs(_centroid(cr_ours, 128) - _centroid(cr_exact, 128)).max() <= 0.34


def test_slides_and_crossfades_on_planes_match_rgb():
    size = (64, 96)
    a, b = _test_canvas(), np.ascontiguousarray(_test_canvas()[::-1, ::-1])
    ia, ib = yuv.rgb_to_i420(a), yuv.rgb_to_i420(b)
    slid = yuv.slide(ia, ib, 21, size)  # odd: taken to 20, so chroma moves by whole samples
    rgb_slid = np.concatenate([a[:, 20:], b[:, :20]], axis=1)
    assert np.abs(slid.astype(int) - yuv.rgb_to_i420(rgb_slid)).max() <= 1
    faded = yuv.crossfade(ia, ib, 0.3)
    rgb_faded = cv2.addWeighted(a, 0.7, b, 0.3, 0.0)
    assert faded.shape == ia.shape and np.abs(faded.astype(int) - yuv.rgb_to_i420(rgb_faded)).max() <= 2


@pytest.mark.parametrize(("x", "y", "opacity"), [(-9, 31, 1.0), (6, 5, 0.4), (7, 12, 0.75)])
def test_a_layer_on_yuv420p_gives_the_picture_the_rgb_blend_gives(x, y, opacity):
    card = overlay.text_card("$39 Brass", width=90, font_px=20, color=(255, 221, 87))
    sprite = overlay.Sprite.from_image(card, x, y)  # odd places too; the first hangs off the left edge
    size = (100, 60)
    frame = np.empty((size[1], size[0], 3), np.uint8)
    frame[:] = (40, 90, 160)
    frame[:, 50:] = (200, 200, 200)
    in_rgb = frame.copy()
    overlay.blend(in_rgb, sprite, opacity)
    in_yuv = yuv.rgb_to_i420(frame)
    overlay.Layer.from_sprite(sprite).draw(in_yuv, size, opacity)
    expected = yuv.rgb_to_i420(in_rgb)
    luma = size[0] * size[1]
    diff = np.abs(in_yuv.astype(int) - expected)
    assert diff[:luma].max() <= 2 and diff[luma:].mean() < 1.0
    assert not np.array_equal(in_yuv, yuv.rgb_to_i420(frame))  # it drew something


def test_a_slide_zooms_only_the_columns_that_show_and_matches_sliding_exact_warps():
    size, fps = (48, 80), 30
    rgbs = [cv2.GaussianBlur(_test_canvas(), (0, 0), 3), cv2.GaussianBlur(_test_canvas()[::-1], (0, 0), 3)]
    clips = [
        timeline.PhotoClip(f"p{k}", yuv.Canvas.from_rgb(rgb), (30.0, 50.0), zoom_in=k == 0)
        for k, rgb in enumerate(rgbs)
    ]
    exact = [timeline.PhotoClip(c.name, rgb, c.focus, c.zoom_in) for c, rgb in zip(clips, rgbs, strict=True)]
    slots = timeline.lay_out(clips, [45, 45], fps, seed=0)
    assert slots[1].transition is timeline.Transition.SLIDE
    source = timeline.FrameSource(slots, size, fps)
    try:
        for f in range(slots[1].start, slots[0].end):
            overlap = slots[0].end - slots[1].start
            offset = round(size[0] * timeline._ease((f - slots[1].start + 1) / (overlap + 1)))
            warped = [
                timeline.photo_frame(exact[0], f, slots[0].frames, size),  # cv2.warpAffine of the RGB canvas
                timeline.photo_frame(exact[1], f - slots[1].start, slots[1].frames, size),
            ]
            expected = yuv.slide(yuv.rgb_to_i420(warped[0]), yuv.rgb_to_i420(warped[1]), offset, size)
            diff = np.abs(source.frame(f).astype(int) - expected)
            assert diff.max() <= 5 and diff.mean() < 1.0  # as close as a whole frame's zoom (see above)
    finally:
        source.close()


def test_photo_clips_are_made_a_few_at_a_time_shortly_before_they_show():
    size, fps = (32, 48), 30
    lengths = timeline.split_frames(150, [1.0] * 5, fps)
    current = {"frame": 0}
    made_at: dict[int, int] = {}

    def make(k):
        def run():
            made_at[k] = current["frame"]
            canvas = yuv.Canvas.from_rgb(np.full((56, 38, 3), 40 * k, np.uint8))
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
                shown = yuv.i420_to_rgb(frame, size)
                assert abs(int(shown.mean()) - 40 * k) <= 2  # the clip showing is the right photo
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
