"""Photos → video: the output contract, overlays in the safe area, CJK glyphs, pan toward the product."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from generators.runtime.errors import UnknownNameError
from generators.video import VideoPipeline, VideoRequest, captions, overlay, timeline
from generators.video.encoder import contract_problems, probe, synthesize_music
from generators.video.presets import all_presets, get_preset
from tests.generators.video.media import product_photo

SMALL = (180, 320)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    return tuple(product_photo(folder / f"p{i}.jpg", box=(40 + 100 * i, 60, 140 + 100 * i, 200)) for i in range(3))


def test_photos_make_a_video_that_keeps_the_output_contract(photos, tmp_path):
    music = synthesize_music(tmp_path / "music.wav", 0.6)
    seen = []
    result = VideoPipeline().run(
        VideoRequest(
            tmp_path / "out" / "douyin.mp4",
            photos=photos,
            duration_s=1.5,
            title="Canvas tote",
            bullets=("Waxed cotton", "Brass rivets"),
            price="$39",
            call_to_action="Shop now",
            music=music,
            frame_size=SMALL,
        ),
        progress=seen.append,
    )
    assert result.frames == 45 and seen[-1].step == seen[-1].total == 45
    assert contract_problems(result.path, SMALL, 30, 45) == []
    info = probe(result.path)
    assert abs(info.duration_s - 1.5) <= 1 / 30 and info.audio_codec == "aac" and info.faststart
    assert any("looped" in w for w in result.warnings)  # 0.6 s of music under 1.5 s of video
    with Image.open(result.poster) as poster:
        assert poster.format == "JPEG" and poster.size == SMALL
    srt = result.subtitles.read_text(encoding="utf-8")
    assert "Canvas tote" in srt and "Brass rivets" in srt and "00:00:00,000 -->" in srt
    kinds = [slot["transition"] for slot in result.timeline]
    assert kinds[0] is None and set(kinds[1:]) == {"crossfade", "slide"}
    assert not list((tmp_path / "out").glob("*.partial*"))


def test_no_copy_one_photo_and_no_music_still_make_a_video_with_silent_audio(photos, tmp_path):
    result = VideoPipeline().run(
        VideoRequest(tmp_path / "v.mp4", photos=photos[:1], preset="square", duration_s=1, frame_size=(160, 160))
    )
    assert contract_problems(result.path, (160, 160), 30, 30) == []  # an AAC track even without music
    assert any("no text" in w for w in result.warnings) and any("one photo" in w for w in result.warnings)
    assert result.subtitles is None


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(UnknownNameError) as err:
        get_preset("vine")
    for name in ("douyin", "tiktok", "reels", "shorts", "square", "youtube", "taobao"):
        assert name in str(err.value)
    assert {p.size for p in all_presets().values()} == {(1080, 1920), (1080, 1080), (1920, 1080), (1080, 1440)}
    assert all(p.fps == 30 for p in all_presets().values()) and get_preset("taobao").max_s == 60


@pytest.mark.parametrize("preset", ["douyin", "youtube", "square"])
def test_overlays_stay_inside_the_safe_area(preset):
    p = get_preset(preset)
    size = (p.size[0] // 4, p.size[1] // 4)
    safe = p.safe_box(size)
    cues = captions.plan_cues(
        title="An unusually long product title that has to wrap onto a second line at least",
        frames=90,
        bullets=("First bullet about the fabric", "Second bullet", "Third", "A fourth is dropped"),
        price="$19.90",
        call_to_action="Buy now",
        frame_size=size,
        safe=safe,
    )
    assert [c.kind for c in cues].count("bullet") == 3
    for cue in cues:
        s = cue.sprite
        assert safe[0] <= s.x and s.x + s.width <= safe[2] and safe[1] <= s.y and s.y + s.height <= safe[3], cue.kind


def test_chinese_copy_renders_real_glyphs_not_tofu():
    latin_only = overlay.load_font(40, cjk=False)
    if overlay.font_path(False) == overlay.font_path(True):
        pytest.fail("no Latin-only font to render tofu with")
    cjk_font = overlay.font_path(True)
    assert cjk_font is not None and "cjk" in cjk_font.name.lower()

    def render(text, font):
        im = Image.new("L", (200, 60), 0)
        from PIL import ImageDraw

        ImageDraw.Draw(im).text((4, 4), text, font=font, fill=255)
        return np.asarray(im)

    real = overlay.load_font(40, cjk=True)
    # Tofu boxes look the same whatever the character; real glyphs differ.
    assert np.array_equal(render("红色", latin_only), render("蓝包", latin_only))
    assert not np.array_equal(render("红色", real), render("蓝包", real))
    assert np.abs(render("红色", real).astype(int) - render("红色", latin_only)).mean() > 5
    card = overlay.text_card("经典圆领纯棉T恤", width=300, font_px=30)
    assert np.asarray(card)[..., 3].max() == 255


def test_zoom_moves_toward_the_product_not_the_frame_centre(tmp_path):
    photo = np.asarray(Image.open(product_photo(tmp_path / "p.png", size=(600, 600), box=(40, 40, 160, 160))))
    from generators.video.pipeline import _product_box

    box = _product_box(photo)  # found at the cut-out's working size and scaled back
    assert abs(box[0] - 40) < 8 and abs(box[2] - 160) < 8
    canvas, focus = timeline.photo_canvas(photo, box, SMALL)
    clip = timeline.PhotoClip("p", canvas, focus, zoom_in=True)

    def dark_centroid(frame):
        ys, xs = np.nonzero(frame.mean(axis=2) < 100)
        return np.array([xs.mean(), ys.mean()])

    centre = np.array(SMALL) / 2
    first, last = timeline.photo_frame(clip, 0, 30, SMALL), timeline.photo_frame(clip, 29, 30, SMALL)
    assert np.linalg.norm(dark_centroid(last) - centre) < np.linalg.norm(dark_centroid(first) - centre) - 5
    assert (last.mean(axis=2) < 100).sum() > (first.mean(axis=2) < 100).sum()  # closer: the product is larger


def test_lengths_leave_exactly_the_frames_asked_for():
    for total, k in ((45, 3), (450, 5), (30, 1), (181, 4)):
        lengths = timeline.split_frames(total, [1.0] * k, 30)
        slots = timeline.lay_out([None] * k, lengths, 30, seed=0)
        assert slots[-1].end == total


def test_footage_heavy_short_videos_still_add_up():
    lengths = timeline.fit_lengths([7, 33, 7], 30, 30)  # two photos around one long shot, 1 s in all
    assert timeline.lay_out([None] * 3, lengths, 30, seed=0)[-1].end == 30 and min(lengths) >= 3


def test_copy_without_drafts_comes_from_the_catalog_facts():
    from generators.video.copy_plan import video_copy

    en = video_copy(
        title="Floral Summer Dress",
        description="Light cotton poplin sundress with a scattered flower print, thin straps and a flared skirt.",
        attributes={"price": "59.00", "currency": "USD"},
    )
    assert en.bullets == (
        "Light cotton poplin sundress with a scattered flower print",
        "Thin straps and a flared skirt",
    )
    assert (en.price, en.call_to_action) == ("$59.00", "Shop now")
    zh = video_copy(title="红色T恤", description="100%纯棉平纹针织面料，罗纹圆领，双针线边，常规版型。")
    assert zh.bullets == ("100%纯棉平纹针织面料", "罗纹圆领", "双针线边") and zh.call_to_action == "立即购买"
    assert video_copy(title="", description="").empty and video_copy(title="").call_to_action == ""
