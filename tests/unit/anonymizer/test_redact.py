import numpy as np

from roadcam.vision.detectors import Box
from roadcam.vision.blur import BOX_MARGIN, blur_boxes, grow
from services.anonymizer.redact import apply_mosaic, mosaic_mask, scale_polygons
from tests.unit.anonymizer.fakes import detail, noise


def test_blur_destroys_detail_inside_box_only():
    image = noise(320, 240)
    original = image.copy()
    blur_boxes(image, [Box(100, 80, 180, 160, "face")])
    x1, y1, x2, y2 = grow(Box(100, 80, 180, 160, "face"), BOX_MARGIN["face"], 320, 240)
    assert detail(image[y1:y2, x1:x2]) < 0.05 * detail(original[y1:y2, x1:x2])
    assert np.array_equal(image[:, :x1], original[:, :x1])  # outside untouched


def test_a_person_figure_keeps_its_shape_but_its_head_band_is_smeared_like_a_face():
    image = noise(200, 400)
    original = image.copy()
    blur_boxes(image, [Box(50, 50, 150, 350, "person")])
    x1, y1, x2, y2 = grow(Box(50, 50, 150, 350, "person"), BOX_MARGIN["person"], 200, 400)
    head = slice(y1, y1 + 60), slice(x1, x2)
    legs = slice(y2 - 60, y2), slice(x1, x2)
    assert detail(image[head]) < 0.5 * detail(image[legs]) < 0.5 * detail(original[legs])


def test_blur_strength_scales_with_box_size():
    for size in (12, 40, 150):
        image = noise(400, 400, seed=size)
        before = detail(image[100:100 + size, 100:100 + size])
        blur_boxes(image, [Box(100, 100, 100 + size, 100 + size, "plate")])
        assert detail(image[100:100 + size, 100:100 + size]) < 0.1 * before, size


def test_grow_clips_to_image():
    assert grow(Box(-5, -5, 50, 50, "face"), 0.5, 40, 40) == (0, 0, 40, 40)


def test_polygons_scale_from_frame_size_to_output():
    polys = scale_polygons([[(0, 0), (1280, 0), (1280, 360)]], (1280, 720), 640, 360)
    assert polys[0].tolist() == [[0, 0], [640, 0], [640, 180]]


def test_mosaic_only_inside_polygon():
    image = noise(64, 64)
    original = image.copy()
    mask = mosaic_mask(64, 64, [np.array([[0, 0], [31, 0], [31, 63], [0, 63]], np.int32)])
    apply_mosaic(image, mask, block=16)
    assert detail(image[:, :28]) < 0.2 * detail(original[:, :28])
    assert np.array_equal(image[:, 40:], original[:, 40:])
    assert apply_mosaic(original.copy(), None) is not None
