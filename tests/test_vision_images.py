"""load_rgb: every kind of image file a player might hand over becomes HxWx3 uint8 RGB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edgepac.errors import EdgePacError
from edgepac.vision.images import load_rgb


def test_real_photos_load_as_rgb(images_dir: Path) -> None:
    for path in sorted(images_dir.iterdir()):
        rgb = load_rgb(path)
        assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3, path.name
        assert rgb.std() > 10, f"{path.name} decoded to a flat image"


def test_grey_becomes_three_equal_channels(tmp_path: Path) -> None:
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    Image.fromarray(grey, "L").save(tmp_path / "g.png")
    rgb = load_rgb(tmp_path / "g.png")
    assert rgb.shape == (3, 4, 3)
    for c in range(3):
        np.testing.assert_array_equal(rgb[:, :, c], grey)


def test_sixteen_bit_grey_keeps_its_top_byte(tmp_path: Path) -> None:
    grey16 = np.array([[0, 256, 65535], [128 * 256, 200, 1000]], dtype=np.uint16)
    Image.fromarray(grey16).save(tmp_path / "g16.png")
    rgb = load_rgb(tmp_path / "g16.png")
    np.testing.assert_array_equal(rgb[:, :, 1], grey16 >> 8)


def test_transparent_pixels_show_white_and_opaque_keep_colour(tmp_path: Path) -> None:
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[0, 0] = (10, 200, 30, 255)  # opaque green
    rgba[1, 1] = (0, 0, 0, 0)  # fully transparent: would be black if alpha were just dropped
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    rgb = load_rgb(tmp_path / "a.png")
    assert rgb.shape == (2, 2, 3)
    assert tuple(rgb[0, 0]) == (10, 200, 30)
    assert tuple(rgb[1, 1]) == (255, 255, 255)


def test_palette_image_gives_its_colours(tmp_path: Path) -> None:
    im = Image.new("P", (3, 1))
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    im.putpixel((0, 0), 0)
    im.putpixel((1, 0), 1)
    im.save(tmp_path / "p.gif")
    rgb = load_rgb(tmp_path / "p.gif")
    assert tuple(rgb[0, 0]) == (255, 0, 0) and tuple(rgb[0, 1]) == (0, 0, 255)


def test_exif_rotation_is_applied(tmp_path: Path) -> None:
    im = Image.new("RGB", (4, 2), (50, 60, 70))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display", as a phone held upright writes
    im.save(tmp_path / "r.jpg", exif=exif)
    assert load_rgb(tmp_path / "r.jpg").shape == (4, 2, 3)


def test_tiny_image_loads(tmp_path: Path) -> None:
    Image.new("RGB", (1, 1), (1, 2, 3)).save(tmp_path / "t.png")
    assert load_rgb(tmp_path / "t.png").tolist() == [[[1, 2, 3]]]


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(EdgePacError, match=r"nope\.jpg: no such image file"):
        load_rgb(tmp_path / "nope.jpg")


@pytest.mark.parametrize("content", [b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 40])
def test_unreadable_file_is_one_line_naming_it(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(content)
    with pytest.raises(EdgePacError) as info:
        load_rgb(bad)
    assert str(bad) in str(info.value) and "\n" not in str(info.value)


def test_truncated_jpeg_is_an_error_not_half_a_picture(tmp_path: Path, images_dir: Path) -> None:
    data = (images_dir / "parrot.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(EdgePacError, match=r"cut\.jpg"):
        load_rgb(cut)
