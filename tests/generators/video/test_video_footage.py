"""Footage → video: shot detection, CLIP-ranked shot choice, rotated and broken inputs, and the pipeline contract."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from generators.video import VideoPipeline, VideoRequest, footage
from generators.video.encoder import contract_problems, probe
from tests.generators.video.media import product_photo, retime, rotate_metadata, shot_frames, write_clip
from tests.pipeline_contract import PipelineContract

SMALL = (180, 320)


@pytest.fixture(scope="module")
def scorer():
    from scoring.scorer import ClipScorer

    return ClipScorer.from_profile("tiny", use_cache=False)


@pytest.fixture(scope="module")
def pipe(scorer):
    return VideoPipeline(scorer=scorer)


@pytest.fixture(scope="module")
def four_shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("footage")
    return write_clip(folder / "four.mp4", shot_frames([36, 36, 36, 36], seed=3), audio=True)


def test_cuts_are_found_within_two_frames(tmp_path):
    lengths = [20, 25, 30, 15]
    clip = write_clip(tmp_path / "cuts.mp4", shot_frames(lengths))
    shots = footage.detect_shots(clip)
    found = [round(s.start_s * 30) for s in shots[1:]]
    expected = list(np.cumsum(lengths)[:-1])
    assert len(found) == len(expected)
    assert all(abs(f - e) <= 2 for f, e in zip(found, expected, strict=True)), (found, expected)


def test_the_cut_uses_the_shots_clip_scores_highest(pipe, scorer, four_shots, tmp_path):
    result = pipe.run(
        VideoRequest(
            tmp_path / "v.mp4", footage=(four_shots,), duration_s=2, product_text="a red bag", frame_size=SMALL
        )
    )
    assert contract_problems(result.path, SMALL, 30, 60) == []
    assert len(result.shots) == 4
    keyframes = [
        Image.fromarray(footage.keyframe(footage.Shot(four_shots, s.index, s.start_s, s.end_s))) for s in result.shots
    ]
    cos = np.asarray(scorer.score(keyframes, ["a red bag"]).cos)[:, 0]
    assert [s.clip_score for s in result.shots] == pytest.approx(cos.tolist(), abs=1e-4)
    top_two = set(np.argsort(-cos)[:2].tolist())
    assert {s.index for s in result.shots if s.chosen} == top_two  # 2 s from 1.2 s shots: the best two


def test_choose_shots_fills_the_length_in_source_order():
    shots = [
        footage.Shot(__import__("pathlib").Path("a.mp4"), i, i * 2.0, i * 2.0 + 2.0, s)
        for i, s in enumerate([0.1, 0.9, 0.5, 0.7])
    ]
    cuts = footage.choose_shots(shots, 90, 30)
    assert [c.shot.index for c in cuts] == [1, 3]  # 0.9 and 0.7, shown in source order
    assert sum(c.frames for c in cuts) == 90
    held = footage.choose_shots(shots[:1], 150, 30)
    assert held[0].frames == 150  # too little footage: the shot is held to fill
    assert footage.choose_shots(shots[:1], 150, 30, hold=False)[0].frames == 60  # or photos fill the rest


def test_rotated_phone_video_comes_out_upright(tmp_path):
    frame = np.zeros((64, 112, 3), np.uint8)  # stored landscape: left half red, right half blue
    frame[:, :56] = (255, 0, 0)
    frame[:, 56:] = (0, 0, 255)
    stored = write_clip(tmp_path / "stored.mp4", [frame] * 20)
    rotated = rotate_metadata(stored, tmp_path / "phone.mp4", 90)
    assert abs(probe(rotated).rotation) == 90
    upright = footage.keyframe(footage.detect_shots(rotated)[0])
    assert upright.shape[0] > upright.shape[1]  # portrait, as the phone was held
    top, bottom = (
        upright[: upright.shape[0] // 4].mean(axis=(0, 1)),
        upright[-upright.shape[0] // 4 :].mean(axis=(0, 1)),
    )
    # +90 display rotation turns the stored frame counter-clockwise: its right (blue) half ends on top.
    assert top[2] > 200 and bottom[0] > 200


def test_variable_frame_rate_footage_plays_at_its_real_speed(tmp_path):
    red, blue = np.zeros((64, 64, 3), np.uint8), np.zeros((64, 64, 3), np.uint8)
    red[:] = (220, 0, 0)
    blue[:] = (0, 0, 220)
    steady = write_clip(tmp_path / "steady.mp4", [red] * 10 + [blue] * 10)
    # Frames 10+ arrive 0.5 s late (a phone pausing): red shows until 0.83 s, not 0.33 s.
    phone = retime(steady, tmp_path / "vfr.mp4", "N/30/TB+gte(N\\,10)*0.5/TB")
    reader = footage.ShotReader(footage.Shot(phone, 0, 0.0, 1.2), 0.0, (32, 32))
    try:
        colours = {t: reader.frame_at(t).mean(axis=(0, 1)) for t in (0.2, 0.6, 0.9)}
    finally:
        reader.close()
    assert colours[0.2][0] > 150 and colours[0.6][0] > 150  # held through the gap
    assert colours[0.9][2] > 150


def test_corrupt_footage_is_named_and_the_other_inputs_are_used(pipe, four_shots, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(four_shots.read_bytes()[:3000])  # truncated: the index is gone
    silent = write_clip(tmp_path / "silent.mp4", shot_frames([40], seed=1))
    photo = product_photo(tmp_path / "p.jpg")
    result = pipe.run(
        VideoRequest(
            tmp_path / "v.mp4", photos=(photo,), footage=(broken, silent), duration_s=1.5, title="Bag", frame_size=SMALL
        )
    )
    assert any("broken.mp4" in w for w in result.warnings)
    assert any("silent.mp4" in w and "no audio" in w for w in result.warnings)
    assert {s.source for s in result.shots} == {"silent.mp4"}
    assert contract_problems(result.path, SMALL, 30, 45) == []


class TestVideoPipelineContract(PipelineContract):
    """The shared contract on the tiny CLIP scorer, with a footage clip so the scorer takes part."""

    def get_dummy_request(self, folder, seed=0):
        clip = folder / "clip.mp4"
        if not clip.exists():
            write_clip(clip, shot_frames([20, 20], seed=2))
        photo = folder / "photo.jpg"
        if not photo.exists():
            product_photo(photo)
        return VideoRequest(
            folder / "out" / "video.mp4",
            photos=(photo,),
            footage=(clip,),
            duration_s=1.0,
            title="Tote",
            bullets=("Cotton",),
            price="$9",
            call_to_action="Buy",
            frame_size=(96, 160),
            seed=seed,
        )

    def signature(self, result):
        return (result.frames, result.timeline, [(s.index, s.clip_score, s.chosen) for s in result.shots])

    def files_written(self, folder):
        out = folder / "out"
        return sorted(out.iterdir()) if out.exists() else []
